/**
 * The instrumentations that `opentelemetry.instrumentations.<key>` can turn on, beside the built-in
 * `http` and `fetch`. Each is an `@opentelemetry/instrumentation-*` package (or the framework's
 * own, for fastify) that the service installs itself: they are optional peer dependencies, loaded
 * only when their switch is on. `name` is the name auto-instrumentations-node uses, the one read
 * from `OTEL_NODE_ENABLED_INSTRUMENTATIONS` / `OTEL_NODE_DISABLED_INSTRUMENTATIONS` (its package
 * suffix); `key` is the config key (`_` for `-`), so its variable is `GREY_OTEL_INSTRUMENT_<KEY>`.
 * Pure data: the config schema is derived from it.
 */
export const NAMED_INSTRUMENTATIONS = [
  {
    key: 'express',
    name: 'express',
    package: '@opentelemetry/instrumentation-express',
    export: 'ExpressInstrumentation',
    what: 'Express middleware, router and request handler spans',
  },
  {
    key: 'fastify',
    name: 'fastify',
    package: '@fastify/otel',
    export: 'FastifyOtelInstrumentation',
    what: "Fastify route and hook spans (Fastify's own @fastify/otel, which replaced @opentelemetry/instrumentation-fastify)",
  },
  {
    key: 'koa',
    name: 'koa',
    package: '@opentelemetry/instrumentation-koa',
    export: 'KoaInstrumentation',
    what: 'Koa middleware and router spans',
  },
  {
    key: 'nestjs_core',
    name: 'nestjs-core',
    package: '@opentelemetry/instrumentation-nestjs-core',
    export: 'NestInstrumentation',
    what: 'NestJS controller and handler spans',
  },
  {
    key: 'graphql',
    name: 'graphql',
    package: '@opentelemetry/instrumentation-graphql',
    export: 'GraphQLInstrumentation',
    what: 'GraphQL parse, validate and execute spans',
  },
  {
    key: 'grpc',
    name: 'grpc',
    package: '@opentelemetry/instrumentation-grpc',
    export: 'GrpcInstrumentation',
    what: '@grpc/grpc-js client and server spans',
  },
  {
    key: 'pg',
    name: 'pg',
    package: '@opentelemetry/instrumentation-pg',
    export: 'PgInstrumentation',
    what: 'PostgreSQL (pg) query and pool spans',
  },
  {
    key: 'mysql2',
    name: 'mysql2',
    package: '@opentelemetry/instrumentation-mysql2',
    export: 'MySQL2Instrumentation',
    what: 'MySQL (mysql2) query spans',
  },
  {
    key: 'mongodb',
    name: 'mongodb',
    package: '@opentelemetry/instrumentation-mongodb',
    export: 'MongoDBInstrumentation',
    what: 'MongoDB driver command spans',
  },
  {
    key: 'ioredis',
    name: 'ioredis',
    package: '@opentelemetry/instrumentation-ioredis',
    export: 'IORedisInstrumentation',
    what: 'Redis (ioredis) command spans',
  },
  {
    key: 'redis',
    name: 'redis',
    package: '@opentelemetry/instrumentation-redis',
    export: 'RedisInstrumentation',
    what: 'Redis (node-redis) command spans',
  },
  {
    key: 'kafkajs',
    name: 'kafkajs',
    package: '@opentelemetry/instrumentation-kafkajs',
    export: 'KafkaJsInstrumentation',
    what: 'Kafka (kafkajs) produce and consume spans',
  },
  {
    key: 'amqplib',
    name: 'amqplib',
    package: '@opentelemetry/instrumentation-amqplib',
    export: 'AmqplibInstrumentation',
    what: 'RabbitMQ (amqplib) publish and consume spans',
  },
] as const;

/** One entry of {@link NAMED_INSTRUMENTATIONS}. */
export type NamedInstrumentation = (typeof NAMED_INSTRUMENTATIONS)[number];

/**
 * Every name the `OTEL_NODE_*_INSTRUMENTATIONS` lists take, with its config key: the built-in
 * ones under auto-instrumentations-node's names (`http`; `undici` is the `fetch` key), then the
 * named ones.
 */
export const OTEL_NODE_INSTRUMENTATION_NAMES: ReadonlyMap<string, string> = new Map([
  ['http', 'http'],
  ['undici', 'fetch'],
  ...NAMED_INSTRUMENTATIONS.map((entry): [string, string] => [entry.name, entry.key]),
]);
