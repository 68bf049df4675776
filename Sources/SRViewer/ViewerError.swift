/// Errors the viewer reports to its caller.
public enum ViewerError: Error, CustomStringConvertible, Equatable {
  /// curses could not initialise (no terminal, or TERM unknown).
  case terminalUnavailable
  /// `--graphics sixel` was forced but the terminal did not report sixel support.
  case sixelUnsupported
  /// The data source has no images.
  case noImages
  /// A montage was asked for an image that is not loaded.
  case imageNotLoaded(Int)

  /// One line, printed by the CLI after `Error: `.
  public var description: String {
    switch self {
    case .terminalUnavailable: return "viewer: cannot initialise the terminal (is stdout a tty and TERM set?)"
    case .sixelUnsupported: return "viewer: the terminal did not report sixel support (DA1 lacks 4); use --graphics blocks"
    case .noImages: return "viewer: the data source has no images"
    case .imageNotLoaded(let i): return "montage: image \(i) is not loaded"
    }
  }
}
