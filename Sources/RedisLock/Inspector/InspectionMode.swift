/// How a ``LiveInspector`` keeps its rows current.
public enum InspectionMode: Sendable, Hashable {
    /// From the server's change stream (`CLIENT TRACKING`): only changed keys are read.
    case live
    /// By scanning everything every refresh, and why the stream is not available.
    case scanning(reason: String)

    /// `live`, or `scanning`.
    public var name: String {
        switch self {
        case .live: "live"
        case .scanning: "scanning"
        }
    }
}
