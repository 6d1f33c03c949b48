/// The commented example `lockwatch config init` writes.
enum ConfigExample {
    /// The file's text: two contexts, every key shown and explained.
    static let text = """
        # lockwatch contexts: `lockwatch --context NAME` (or `lockwatch list --context NAME`, ...)
        # uses the context's URL, password, prefixes and settings; `lockwatch contexts` lists them.
        # Options given on the command line win over the context (--url cannot be combined with it).
        #
        # Keys of a context (all optional):
        #   url            redis://[user@]host[:port][/db], rediss://..., unix:///path,
        #                  redis+sentinel://host:26379/MASTER, or a cluster's redis://h1:p1,h2:p2.
        #                  Never a password in it.
        #   password_env   the name of an environment variable holding the password, or
        #   password_file  a file whose first line is the password (chmod 600 it).
        #                  An inline `password = ...` is refused.
        #   prefixes       key prefixes of the locks, e.g. ["lock:"]
        #   readonly       true: the dashboard's F and `lockwatch release` refuse
        #   interval       the dashboard's refresh interval, e.g. "2s" (at least 100ms)
        #   label          shown in the dashboard header (default: the context's name)
        #   colour         the label's colour: red, green, yellow, blue, magenta, cyan, white

        [contexts.local]
        url = "redis://127.0.0.1:6379"
        prefixes = ["lock:"]
        label = "local"
        colour = "green"

        [contexts.prod]
        url = "rediss://redis.prod.example.internal:6380"
        password_env = "PROD_REDIS_PASSWORD"
        # password_file = "/etc/lockwatch/prod.password"
        prefixes = ["lock:"]
        readonly = true
        interval = "2s"
        label = "PRODUCTION"
        colour = "red"

        """
}
