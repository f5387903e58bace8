/** After the last test: stops the FerretDB that globalSetup started (and deletes its data). */
export default async function globalTeardown(): Promise<void> {
  await globalThis.__MSQ_FERRETDB__?.stop();
}
