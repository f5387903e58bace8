import { ConfigurationBotFrameworkAuthentication, ConfigurationServiceClientCredentialFactory } from 'botbuilder';
import { ClaimsIdentity, UserTokenClient } from 'botframework-connector';
import { MsqAuthentication } from '../../src/bot/authentication';

/** A user token client that answers getTokenStatus, standing for the one botbuilder builds. */
class FakeTokenClient extends UserTokenClient {
  getTokenStatus = jest.fn(async () => [{ channelId: 'msteams', connectionName: 'graph', hasToken: true, serviceProviderDisplayName: 'Microsoft Graph' }]);
  getUserToken = jest.fn();
  getSignInResource = jest.fn();
  signOutUser = jest.fn();
  getAadTokens = jest.fn();
  exchangeToken = jest.fn();
}

describe('authentication: the user token client (OAuth, unused by the bot) is built when first used, not on every turn', () => {
  afterEach(() => jest.restoreAllMocks());

  it('builds nothing when a turn asks for it, builds it once on the first call, and passes calls through', async () => {
    const fake = new FakeTokenClient();
    const build = jest.spyOn(ConfigurationBotFrameworkAuthentication.prototype, 'createUserTokenClient').mockResolvedValue(fake);
    const auth = new MsqAuthentication({}, new ConfigurationServiceClientCredentialFactory({}));
    const client = await auth.createUserTokenClient(new ClaimsIdentity([], true));
    expect(build).not.toHaveBeenCalled();

    expect(await client.getTokenStatus('user-1', 'msteams', '')).toEqual([{ channelId: 'msteams', connectionName: 'graph', hasToken: true, serviceProviderDisplayName: 'Microsoft Graph' }]);
    await client.getTokenStatus('user-1', 'msteams', 'graph');
    expect(build).toHaveBeenCalledTimes(1);
    expect(fake.getTokenStatus.mock.calls).toEqual([
      ['user-1', 'msteams', ''],
      ['user-1', 'msteams', 'graph'],
    ]);
  });
});
