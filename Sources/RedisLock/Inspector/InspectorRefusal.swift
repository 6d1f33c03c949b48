public import RESP
import Foundation

/// What the inspector does when an ACL user may not run one of its commands: optional
/// commands (`TIME`, `PUBSUB NUMSUB`, `EXISTS` of a sibling, `MGET` when `GET` is allowed)
/// degrade with a note; a refused required one (`SCAN`, `GET`, `PTTL`, `TYPE`, `HGETALL`)
/// becomes an error that names the command and the ACL rule to add, never a lost connection.
public enum InspectorRefusal {
    /// Whether `error` says the server will not run the command for this user (`NOPERM`), or
    /// does not know it (renamed or disabled): the command is unavailable, the connection fine.
    public static func isRefusal(_ error: RedisError) -> Bool {
        error.code == .permissionDenied
            || (error.code == .serverError && error.message.hasPrefix("ERR unknown command"))
    }

    /// The command a `NOPERM` reply names (`mget` in "… to run the 'mget' command"), upper-cased.
    public static func refusedCommand(_ error: RedisError) -> String? {
        let parts = error.message.split(separator: "'", omittingEmptySubsequences: false)
        guard parts.count >= 3 else { return nil }
        return parts[1].uppercased()
    }

    /// `error` explained for an operator when it is a `NOPERM` on a command the inspector
    /// needs; other errors unchanged.
    public static func explained(_ error: RedisError) -> RedisError {
        guard error.code == .permissionDenied else { return error }
        let command = refusedCommand(error) ?? "a command"
        let rule = refusedCommand(error).map { "+" + $0.lowercased().replacingOccurrences(of: " ", with: "|") } ?? "+@read"
        if command == "CLIENT|SETNAME" {
            return RedisError(
                .permissionDenied,
                "Redis refused CLIENT SETNAME (NOPERM) while connecting: drop name= from the URL, use protocol 3 (HELLO sets the name), "
                    + "or allow it with ACL SETUSER <user> +client|setname [\(error.message)]",
                underlying: error.underlying)
        }
        return RedisError(
            .permissionDenied,
            "Redis refused \(command) (NOPERM): this ACL user may not run it, and reading locks needs it; "
                + "allow it with ACL SETUSER <user> \(rule) (a read-only viewer needs +scan +get +pttl +type +hgetall; "
                + "MGET, EXISTS, TIME, PUBSUB, CONFIG and INFO are optional) [\(error.message)]",
            underlying: error.underlying)
    }

    /// The note for an optional command the server refused.
    static func note(_ command: String, _ consequence: String) -> String {
        "\(command) refused or unavailable: \(consequence)"
    }
}
