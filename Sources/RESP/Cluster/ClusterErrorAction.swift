/// What the cluster client does about an error from a node.
enum ClusterErrorAction: Sendable, Equatable {
    /// `MOVED` or `ASK`: send the command to another node.
    case redirect(ClusterRedirection)
    /// `TRYAGAIN`, `CLUSTERDOWN`, `LOADING`, `MASTERDOWN`: wait a moment and send it again,
    /// after refreshing the topology when the cluster's shape may have changed.
    case retryLater(refreshTopology: Bool)
    /// The node could not be connected to; the command was never sent. Refresh the topology
    /// (the node may have left or failed over) and send it again.
    case nodeUnreachable
    /// `CROSSSLOT`: the command's keys are in different slots; retrying cannot help.
    case crossSlot
    /// Anything else: the caller gets the error as it is.
    case fail

    /// Classifies `error` from the node at `currentHost`.
    init(_ error: RedisError, currentHost: String?) {
        if error.code == .connectionFailed {
            self = .nodeUnreachable
            return
        }
        guard error.code == .serverError, let prefix = error.serverErrorPrefix else {
            self = .fail
            return
        }
        switch prefix {
        case "MOVED", "ASK":
            if let redirection = ClusterRedirection(errorMessage: error.message, currentHost: currentHost) {
                self = .redirect(redirection)
            } else {
                self = .fail
            }
        case "CLUSTERDOWN", "MASTERDOWN": self = .retryLater(refreshTopology: true)
        case "TRYAGAIN", "LOADING": self = .retryLater(refreshTopology: false)
        case "CROSSSLOT": self = .crossSlot
        default: self = .fail
        }
    }
}
