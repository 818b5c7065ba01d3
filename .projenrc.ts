import { cdk8s, javascript } from 'projen';

const project = new cdk8s.ConstructLibraryCdk8s({
  name: 'cdk8s-istio',
  description: 'Typed, validated cdk8s constructs for the Istio service mesh (Istio 1.30, Gateway API 1.5).',
  author: 'cdk8s-istio developers',
  authorAddress: 'dev@cdk8s-istio.invalid',
  repositoryUrl: 'https://github.com/cdk8s-istio/cdk8s-istio.git',
  keywords: ['cdk8s', 'istio', 'service-mesh', 'kubernetes', 'gateway-api'],
  defaultReleaseBranch: 'main',
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,
  projenVersion: '~0.103.25',

  // cdk8s 2.70.x and constructs 10.8.x (without these the template picks cdk8s 1.x)
  cdk8sVersion: '2.70.106',
  constructsVersion: '10.8.1',
  jsiiVersion: '~6.0.0',
  // ts-jest does not support TypeScript 7 yet
  // (typescript is pinned below 7 through devDeps)

  // the jsii targets: bindings for Python, Java, Go and .NET. The `bindings` task
  // generates their code (CI checks it); their registries and toolchains are not
  // reachable from this machine, so nothing is built or published here
  publishToPypi: { distName: 'cdk8s-istio', module: 'cdk8s_istio' },
  publishToMaven: { javaPackage: 'io.github.cdk8s_istio', mavenGroupId: 'io.github.cdk8s-istio', mavenArtifactId: 'cdk8s-istio' },
  publishToGo: { moduleName: 'github.com/cdk8s-istio/cdk8s-istio-go' },
  publishToNuget: { dotNetNamespace: 'Cdk8sIstio', packageId: 'Cdk8sIstio' },

  // no hosted CI or release pipeline: CI is .ci/run
  github: false,
  release: false,
  depsUpgrade: false,
  buildWorkflow: false,
  pullRequestTemplate: false,

  // non-jsii runtime libraries are bundled; their types never appear in the public API
  // (the CRD layer walks the structural schemas itself, for Kubernetes' semantics and
  // precise messages; @bufbuild/protobuf is @bufbuild/cel's peer dependency)
  bundledDeps: ['yaml@2.9.1', '@bufbuild/cel@0.6.1', '@bufbuild/protobuf@2.17.0'],
  devDeps: [
    'typescript@~6.0.3', '@types/node@^20', 'cdk8s-cli@2.207.60', 'cdk8s-plus-32@2.5.92',
    // the benchmark's baselines: a peer schema validator, and cdk8s-plus' load time
    'cdk8s-plus-33@2.5.57', '@kubernetes-models/istio@3.0.1',
  ],

  // the generated L1 lives in top-level imports/, compiled by jsii together with src/
  srcdir: 'src',
  libdir: 'lib',
  entrypoint: 'lib/src/index.js',
  entrypointTypes: 'lib/src/index.d.ts',
  tsconfig: {
    compilerOptions: {
      rootDir: '.',
    },
    include: ['src/**/*.ts', 'imports/**/*.ts'],
    exclude: ['node_modules', 'test', 'examples', 'scripts', 'lib'],
  },
  tsconfigDev: {
    compilerOptions: {},
    // test/tsconfig.json: paths are relative to test/
    include: ['../src/**/*.ts', '../imports/**/*.ts', '../scripts/**/*.ts'],
  },

  jestOptions: {
    updateSnapshot: javascript.UpdateSnapshot.NEVER,
    passWithNoTests: false,
    jestConfig: {
      collectCoverage: false,
    },
  },
  eslintOptions: {
    dirs: ['src'],
    devdirs: ['test'],
    ignorePatterns: ['imports/', 'lib/', 'examples/', 'data/', '*.generated.ts', 'node_modules/'],
  },
  bin: { 'cdk8s-istio': 'lib/src/cli.js' },
  docgen: true,
  gitignore: ['/examples/node_modules', '/examples/*/node_modules', '/test-reports', '/.tmp', '/bench-results'],
  npmIgnoreOptions: { ignorePatterns: ['/examples', '/scripts', '/test', '/.ci', '/docs', '/.tmp', '/crds', '/bench', '/install'] },
});

// jsii finds the entry point through `types`, which the jsii project type resets to lib/index.d.ts
project.package.addField('types', 'lib/src/index.d.ts');

// `jsii-docgen` documents the root module only, not megabytes of L1; the compaction
// drops what every construct inherits from `Construct`, to stay well under 500 KB
const docgen = project.tasks.tryFind('docgen')!;
docgen.reset('jsii-docgen -o API.md --submodule root');
docgen.exec('ts-node --transpile-only --project test/tsconfig.json scripts/compact-api-md.ts API.md');

// `require('cdk8s-istio')` loads nothing until an export is used: the compiled entry
// point's re-exports become getters (jsii accepts only the forms that compile to eager
// requires). Part of `compile` itself, so every compile (the examples' too) gives the lazy lib/
project.compileTask.exec('node scripts/lazify-index.js lib/src/index.js');

// L1: `npx projen import` regenerates imports/ from the CRDs vendored in crds/ (crds/SOURCES.md)
project.addTask('import', {
  description: 'Regenerate imports/ (L1) from the vendored crds/ with cdk8s import',
  exec: 'ts-node --transpile-only --project test/tsconfig.json scripts/import.ts',
});

// CRD schema + CEL rule data for the validator
project.addTask('schemas', {
  description: 'Regenerate data/crd-schemas.json from the vendored crds/',
  exec: 'ts-node --transpile-only --project test/tsconfig.json scripts/schemas.ts',
});

// one plain `tests: N passed, N failed` line for CI comes from this summary
project.jest!.addReporter('<rootDir>/scripts/jest-summary-reporter.js' as any);

// test files are type-checked (ts-jest itself only transpiles, which keeps the suite fast)
const testTask = project.tasks.tryFind('test')!;
testTask.prependExec('tsc --noEmit -p test/tsconfig.json');

// `package` makes the npm tarball only, with or without CI set: building the other
// languages' packages needs their toolchains and registries
const packageTask = project.tasks.tryFind('package')!;
packageTask.reset();
packageTask.spawn(project.tasks.tryFind('package:js')!);

// the four bindings' code, generated from the compiled .jsii (after `compile`); fails if any target fails
project.addTask('bindings', {
  description: 'Generate the Python, Java, Go and .NET bindings (code only) into dist/bindings',
  steps: [
    { exec: 'rm -rf dist/bindings' },
    { exec: 'jsii-pacmak --code-only --target python --target java --target go --target dotnet --outdir dist/bindings' },
    { exec: 'test -f dist/bindings/python/src/cdk8s_istio/__init__.py && test -f dist/bindings/java/pom.xml && test -f dist/bindings/go/cdk8sistio/go.mod && ls dist/bindings/dotnet/Cdk8sIstio/*.csproj >/dev/null' },
  ],
});

const examples = project.addTask('examples', {
  description: 'Synthesize every app under examples/ into examples/<name>/dist',
  exec: 'bash scripts/examples.sh',
});
project.addTask('bench', {
  description: 'Benchmark the patterns (synth, validation, RSS, load time) against L1, floor and peer baselines of the same run (--quick: N=1000 only)',
  exec: 'ts-node --transpile-only --project test/tsconfig.json scripts/bench.ts',
  receiveArgs: true,
});
project.package.setScript('examples', `npx projen ${examples.name}`);
project.package.setScript('bench', 'npx projen bench');

project.synth();
