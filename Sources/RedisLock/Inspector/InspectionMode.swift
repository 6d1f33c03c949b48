/// How a ``LiveInspector`` keeps its rows current.
public enum InspectionMode: Sendable, Hashable {
    /// From the server's change stream (`CLIENT TRACKING`): only changed keys are read.
    case live
    /// By scanning everything every refresh (a Redlock set), and why.
    case scanning(reason: String)
    /// By re-reading the rows on screen every refresh and sweeping everything as often as the
    /// ``LoadBudget`` allows, and why the stream is not used.
    case sweeping(reason: String)

    /// `live`, `scanning` or `sweeping`.
    public var name: String {
        switch self {
        case .live: "live"
        case .scanning: "scanning"
        case .sweeping: "sweeping"
        }
    }
}
