// The launchers live in the LocalRedis module (also used by `lockwatch demo` and the
// benchmarks); tests import RedisTestSupport and get both the launchers and the `with…` scopes.
@_exported import LocalRedis
