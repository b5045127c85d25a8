/**
 * A real `redis-server` for one test file (call it in `beforeAll`, `stop()` in `afterAll`), so test
 * files run in parallel without sharing state. The one implementation is scripts/redis-server.mjs,
 * which the Redis benches use too.
 */
export {
  type RedisServer,
  type RedisServerOptions,
  startRedisServer,
} from "../../scripts/redis-server.mjs";
