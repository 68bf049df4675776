import Testing
@testable import SRViewer

@Suite struct KeyParserTests {
  @Test func parsesXtermSequences() {
    let bytes = Array("\u{1B}[A\u{1B}[1;2Dq\u{1B}[6~\u{1B}[5~+é".utf8)
    #expect(KeyParser.events(fromBytes: bytes) == [.up, .shiftLeft, .char("q"), .pageDown, .pageUp, .char("+"), .char("é")])
  }

  @Test func mapsCursesCodes() {
    #expect(KeyParser.event(cursesCode: 0o521, isKeyCode: true) == .shiftUp)
    #expect(KeyParser.event(cursesCode: 0o522, isKeyCode: true) == .pageDown)
    #expect(KeyParser.event(cursesCode: 0o632, isKeyCode: true) == .resize)
    #expect(KeyParser.event(cursesCode: 3, isKeyCode: false) == .interrupt)
    #expect(KeyParser.event(cursesCode: 0x4A, isKeyCode: false) == .char("J"))
    #expect(KeyParser.event(cursesCode: 1, isKeyCode: false) == nil)
  }
}
