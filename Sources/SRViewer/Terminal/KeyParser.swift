/// What a mouse event did.
public enum MouseAction: Sendable, Equatable {
  /// Left button pressed or clicked.
  case click
  /// Wheel rolled up (away from the user).
  case wheelUp
  /// Wheel rolled down.
  case wheelDown
}

/// One input event, independent of how the terminal delivered it.
public enum KeyEvent: Sendable, Equatable {
  /// A printable character (letters, digits, `+`, `-`, `?`, space...).
  case char(Character)
  /// Arrow keys.
  case up, down, left, right
  /// Shifted arrow keys (bigger steps).
  case shiftUp, shiftDown, shiftLeft, shiftRight
  /// Page keys (next/previous image).
  case pageUp, pageDown
  /// The Escape key.
  case escape
  /// Ctrl-C (delivered as a key when the terminal is in raw mode).
  case interrupt
  /// The terminal was resized.
  case resize
  /// A mouse event at a zero-based cell.
  case mouse(row: Int, col: Int, action: MouseAction)
}

/// Turns raw terminal input (curses key codes, or ANSI byte sequences) into `KeyEvent`s.
public enum KeyParser {
  // ncurses key codes (curses.h, octal), repeated here so this file needs no C module.
  static let keyDown: Int32 = 0o402, keyUp: Int32 = 0o403, keyLeft: Int32 = 0o404, keyRight: Int32 = 0o405
  static let keyShiftDown: Int32 = 0o520, keyShiftUp: Int32 = 0o521
  static let keyNextPage: Int32 = 0o522, keyPrevPage: Int32 = 0o523
  static let keyShiftLeft: Int32 = 0o611, keyShiftRight: Int32 = 0o622
  static let keyMouse: Int32 = 0o631, keyResize: Int32 = 0o632

  /// Maps a curses `get_wch` result: a function-key code (`isKeyCode`) or a character.
  public static func event(cursesCode code: Int32, isKeyCode: Bool) -> KeyEvent? {
    if isKeyCode {
      switch code {
      case keyUp: return .up
      case keyDown: return .down
      case keyLeft: return .left
      case keyRight: return .right
      case keyShiftUp: return .shiftUp
      case keyShiftDown: return .shiftDown
      case keyShiftLeft: return .shiftLeft
      case keyShiftRight: return .shiftRight
      case keyNextPage: return .pageDown
      case keyPrevPage: return .pageUp
      case keyResize: return .resize
      default: return nil
      }
    }
    switch code {
    case 3: return .interrupt
    case 9: return .char("\t")
    case 27: return .escape
    case 32...0x10FFFF:
      guard let scalar = Unicode.Scalar(UInt32(code)) else { return nil }
      return .char(Character(scalar))
    default: return nil
    }
  }

  /// Parses a byte stream as sent by an xterm-compatible terminal (CSI arrows, `CSI 1;2 A`
  /// shifted arrows, `CSI 5~`/`CSI 6~` pages, UTF-8 characters). Unknown sequences are dropped.
  public static func events(fromBytes bytes: [UInt8]) -> [KeyEvent] {
    var out: [KeyEvent] = []
    var i = 0
    while i < bytes.count {
      if bytes[i] == 0x1B, i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: "[") {
        var j = i + 2
        while j < bytes.count, !(0x40...0x7E).contains(bytes[j]) { j += 1 }
        guard j < bytes.count else { break }
        if let e = csiEvent(params: String(decoding: bytes[(i + 2)..<j], as: UTF8.self), final: bytes[j]) {
          out.append(e)
        }
        i = j + 1
        continue
      }
      let (scalar, length) = decodeUTF8(bytes, at: i)
      if let scalar, let e = event(cursesCode: Int32(scalar.value), isKeyCode: false) { out.append(e) }
      i += length
    }
    return out
  }

  private static func csiEvent(params: String, final: UInt8) -> KeyEvent? {
    let shifted = params.hasSuffix(";2")
    switch (final, shifted) {
    case (UInt8(ascii: "A"), false): return .up
    case (UInt8(ascii: "B"), false): return .down
    case (UInt8(ascii: "C"), false): return .right
    case (UInt8(ascii: "D"), false): return .left
    case (UInt8(ascii: "A"), true): return .shiftUp
    case (UInt8(ascii: "B"), true): return .shiftDown
    case (UInt8(ascii: "C"), true): return .shiftRight
    case (UInt8(ascii: "D"), true): return .shiftLeft
    case (UInt8(ascii: "~"), _):
      if params == "5" { return .pageUp }
      if params == "6" { return .pageDown }
      return nil
    default: return nil
    }
  }

  private static func decodeUTF8(_ bytes: [UInt8], at i: Int) -> (Unicode.Scalar?, Int) {
    let lead = bytes[i]
    let length = lead < 0x80 ? 1 : lead >> 5 == 0b110 ? 2 : lead >> 4 == 0b1110 ? 3 : lead >> 3 == 0b11110 ? 4 : 1
    guard i + length <= bytes.count else { return (nil, bytes.count - i) }
    var it = bytes[i..<(i + length)].makeIterator()
    var decoder = UTF8()
    if case .scalarValue(let s) = decoder.decode(&it) { return (s, length) }
    return (nil, length)
  }
}
