/**
 * The service's layers, as data (`npm run layers`, in CI beside lint and typecheck).
 *
 *   functions/handlers  thin: parse the event, call one use case, map the answer
 *   functions/use-cases the flows; call the store's intents and the domain
 *   functions/domain    pure: rules and arithmetic, no AWS, no I/O, no other layer
 *   functions/store     the only code that speaks DynamoDB; takes intents, answers outcomes
 *   functions/bus       the only code that speaks EventBridge: the outbound events' publisher
 *   functions/http      HTTP around the handlers: bodies, problem answers, the OpenAPI document
 *   functions/commons   one client, logger, metrics and tracer per process; the handler middlewares
 *
 * Only functions/ is deployed, so only functions/ is held to these rules. local/, test/, bench/
 * and infra/ are tools around it: they may import any layer and the AWS SDK (DynamoDB Local,
 * export/import, fault injection, benchmarks, the CDK stack), but nothing deployed may import them.
 */

/** Packages that talk to AWS or run in its Lambda runtime: none belongs in the domain. */
const AWS_PACKAGES =
  '^node_modules/(@aws-sdk|@smithy|@aws-lambda-powertools|@aws|@middy|aws-xray-sdk[^/]*|@types/aws-lambda)/';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'domain-without-aws',
      comment:
        'The domain (packing, allocation, validation rules) is pure: no AWS SDK, no Powertools, no Lambda ' +
        'types. What it needs from outside is passed in by a use case.',
      severity: 'error',
      from: { path: '^functions/domain/' },
      to: { path: AWS_PACKAGES },
    },
    {
      name: 'domain-without-other-layers',
      comment:
        'The domain depends on no other layer: not the store, http, handlers, use cases or commons ' +
        '(logger, metrics, clients). The other layers depend on it, never the reverse.',
      severity: 'error',
      from: { path: '^functions/domain/' },
      to: { path: '^functions/(store|http|handlers|use-cases|commons)/' },
    },
    {
      name: 'handlers-without-store',
      comment:
        'A handler parses the event, calls one use case and maps the answer; reaching into the store ' +
        'skips the use case, where the flow and its rules live.',
      severity: 'error',
      from: { path: '^functions/handlers/' },
      to: { path: '^functions/store/' },
    },
    {
      name: 'store-speaks-in-intents',
      comment:
        'Outside the store, code calls its intent modules (catalog-, order-, fill-, restock-, ' +
        "attention-store, table-health) and gets outcomes back, and reads the table's stream as changes " +
        '(stream-changes). Items, keys, transactions, conditions ' +
        "and DynamoDB limits are the store's own (docs/design.md).",
      severity: 'error',
      from: { path: '^functions/', pathNot: '^functions/store/' },
      to: {
        path: '^functions/store/',
        pathNot:
          '^functions/store/[a-z-]+-store[.]ts$|^functions/store/table-health[.]ts$|^functions/store/stream-changes[.]ts$',
      },
    },
    {
      name: 'only-the-store-speaks-dynamodb',
      comment:
        'Within functions/, only the store and the one shared client (commons/dynamodb.ts) import the ' +
        'DynamoDB SDK. local/, test/, bench/ and infra/ are tools, not deployed code, and may use it ' +
        '(they are not cruised by this rule).',
      severity: 'error',
      from: { path: '^functions/', pathNot: ['^functions/store/', '^functions/commons/dynamodb[.]ts$'] },
      to: { path: '^node_modules/@aws-sdk/(client-dynamodb|lib-dynamodb)/' },
    },
    {
      name: 'only-the-bus-speaks-eventbridge',
      comment:
        'Within functions/, only the bus (the EventBridge publisher of the outbound events) imports the ' +
        'EventBridge SDK; the use case publishes through the EventPublisher port of the domain.',
      severity: 'error',
      from: { path: '^functions/', pathNot: '^functions/bus/' },
      to: { path: '^node_modules/@aws-sdk/client-eventbridge/' },
    },
    {
      name: 'bus-is-an-adapter',
      comment:
        "The bus implements the domain's EventPublisher port with the domain's events; it knows no " +
        'store, use case, handler or HTTP code (a handler plugs it into the use case).',
      severity: 'error',
      from: { path: '^functions/bus/' },
      to: { path: '^functions/(store|http|handlers|use-cases)/' },
    },
    {
      name: 'no-circular-in-functions',
      comment: 'A cycle makes two modules one: neither can be read, tested or bundled without the other.',
      severity: 'error',
      from: { path: '^functions/' },
      to: { path: '^functions/', circular: true },
    },
    {
      name: 'functions-without-tools',
      comment:
        'functions/ is what Lambda runs: it may not import local/ (the npm start stand-ins), test/ or ' +
        'bench/, which are not deployed with it.',
      severity: 'error',
      from: { path: '^functions/' },
      to: { path: '^(local|test|bench)/' },
    },
  ],
  options: {
    // Type-only imports count too: a layer that names another's types depends on it.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    doNotFollow: { path: '^node_modules/' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
