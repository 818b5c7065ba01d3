/** Importing the library stays fast: the CEL library and the CRD data load on first validation. */
test('importing the library does not load @bufbuild/cel; the first validation does', () => {
  let loaded = false;
  jest.isolateModules(() => {
    jest.doMock('@bufbuild/cel', () => {
      loaded = true;
      return jest.requireActual('@bufbuild/cel');
    });
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { CrdValidator } = require('../../src');
    expect(loaded).toBe(false);
    const findings = CrdValidator.validate({ apiVersion: 'networking.istio.io/v1', kind: 'Sidecar', metadata: { name: 's' }, spec: {} });
    expect(findings).toEqual([]);
    expect(loaded).toBe(true);
  });
  jest.dontMock('@bufbuild/cel');
});
