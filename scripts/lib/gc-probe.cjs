// Benchmark only (`node --expose-gc --require ./scripts/lib/gc-probe.cjs …`): on SIGUSR2, a full garbage
// collection, then one line with the process's memory figures on stderr, so that the benchmark can compare the
// live heap of a process before and after it has served many respondents.
process.on('SIGUSR2', () => {
  if (typeof global.gc === 'function') {
    global.gc();
    global.gc();
  }
  process.stderr.write(`[gc-probe] ${JSON.stringify(process.memoryUsage())}\n`);
});
