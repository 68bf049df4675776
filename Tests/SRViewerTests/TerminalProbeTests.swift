import SRTestSupport
import Testing
@testable import SRViewer

/// The probe's parsers on the exact replies of TERMINAL.md §3.2 (each followed by the DA1 fence, as
/// the read loop delivers it) and on garbage.
@Suite struct TerminalProbeTests {
  static let e = "\u{1B}"
  static let da1Default = "\(e)[?64;1;2;6;9;15;16;17;18;21;22;28c"   // xterm 379, no sixel
  static let da1VT340 = "\(e)[?63;1;2;4;6;9;15;16;22;28c"             // xterm -ti vt340
  static let da1GraphicsID = "\(e)[?64;1;2;4;6;9;15;16;17;18;21;22;28c"  // decGraphicsID: vt340
  static let da1Tmux = "\(e)[?1;2c"
  static let cell = PixelSize(width: 10, height: 20)

  @Test(arguments: [(da1Default, false), (da1VT340, true), (da1GraphicsID, true), (da1Tmux, false),
                    ("\(e)[?4c", false),          // the class parameter is not an attribute
                    ("?63;1;4c", false),           // no ESC [: not a reply
                    ("\(e)[?62;4", false)])        // cut off before the final byte
  func da1AttributeFourMeansSixel(_ reply: String, _ sixel: Bool) {
    #expect(TerminalProbe.hasSixel(da1: reply) == sixel)
  }

  @Test func readsTheTerminalVersion() {
    #expect(TerminalProbe.terminalVersion("\(Self.e)P>|XTerm(379)\(Self.e)\\" + Self.da1VT340) == "XTerm(379)")
    #expect(TerminalProbe.terminalVersion("\(Self.e)P>|tmux 3.3a\(Self.e)\\" + Self.da1Tmux) == "tmux 3.3a")
    #expect(TerminalProbe.terminalVersion(Self.da1VT340) == nil)                        // not answered
    #expect(TerminalProbe.terminalVersion("\(Self.e)P>|XTerm(379)") == nil)             // no ST
    #expect(TerminalProbe.terminalVersion("\(Self.e)P>|\(Self.e)\\") == nil)            // empty
    #expect(TerminalProbe.terminalVersion("\(Self.e)P>|a\u{7}b\(Self.e)\\") == nil)     // control character
    #expect(TerminalProbe.terminalVersion("\(Self.e)P>|" + String(repeating: "x", count: 81) + "\(Self.e)\\") == nil)
  }

  @Test func readsColourRegistersAndGeometry() {
    let e = Self.e, fence = Self.da1VT340
    #expect(TerminalProbe.graphicsAttribute("\(e)[?1;0;256S" + fence, item: 1) == [256])
    #expect(TerminalProbe.graphicsAttribute("\(e)[?1;0;1024S" + fence, item: 1) == [1024])
    #expect(TerminalProbe.graphicsAttribute("\(e)[?2;0;1000;600S" + fence, item: 2) == [1000, 600])
    #expect(TerminalProbe.graphicsAttribute("\(e)[?2;0;4096;4096S" + fence, item: 2) == [4096, 4096])
    // Failure status (xterm without sixel), another item, no values, out of range, cut off, DA1 only.
    #expect(TerminalProbe.graphicsAttribute("\(e)[?1;3S" + Self.da1Default, item: 1) == nil)
    #expect(TerminalProbe.graphicsAttribute("\(e)[?2;0;1000;600S" + fence, item: 1) == nil)
    #expect(TerminalProbe.graphicsAttribute("\(e)[?1;0S" + fence, item: 1) == nil)
    #expect(TerminalProbe.graphicsAttribute("\(e)[?2;0;99999999;600S" + fence, item: 2) == nil)
    #expect(TerminalProbe.graphicsAttribute("\(e)[?2;0;0;600S" + fence, item: 2) == nil)
    #expect(TerminalProbe.graphicsAttribute("\(e)[?2;0;1000;6", item: 2) == nil)
    #expect(TerminalProbe.graphicsAttribute(fence, item: 1) == nil)
    #expect(TerminalProbe.graphicsAttribute("junk\(e)[\(e)[?1;0;64S", item: 1) == [64])  // noise before the reply
  }

  /// The three xterm columns of TERMINAL.md §3.2, as whole probes.
  @Test func capabilitiesOfTheDocumentedXterms() {
    let e = Self.e, version = "\(e)P>|XTerm(379)\(e)\\"
    let plain = TerminalProbe.capabilities(from: .init(
      da1: Self.da1Default, version: version + Self.da1Default, colorsRead: "\(e)[?1;3S" + Self.da1Default,
      colorsMax: "\(e)[?1;3S" + Self.da1Default, geometryRead: "\(e)[?2;3S" + Self.da1Default,
      geometryMax: "\(e)[?2;3S" + Self.da1Default), cell: Self.cell, trueColor: false)
    #expect(!plain.sixel && plain.terminalName == "XTerm(379)" && plain.colorRegisters == nil && plain.maxSixelGeometry == nil)
    #expect(plain.sixelColors == 256 && plain.sixelMaxPicture == PixelSize(width: 1000, height: 1000))
    #expect(plain.sixelLabel == "sixel 256 colours assumed (XTerm(379), max 1000x1000 assumed)")

    let vt340 = TerminalProbe.capabilities(from: .init(
      da1: Self.da1VT340, version: version + Self.da1VT340, colorsRead: "\(e)[?1;0;256S" + Self.da1VT340,
      colorsMax: "\(e)[?1;0;1024S" + Self.da1VT340, geometryRead: "\(e)[?2;0;1000;600S" + Self.da1VT340,
      geometryMax: "\(e)[?2;0;4096;4096S" + Self.da1VT340), cell: Self.cell, trueColor: false)
    #expect(vt340.sixel && vt340.colorRegisters == 256 && vt340.maxSixelGeometry == PixelSize(width: 4096, height: 4096))
    #expect(vt340.sixelLabel == "sixel 256 colours (XTerm(379), max 4096x4096)")

    let graphicsID = TerminalProbe.capabilities(from: .init(
      da1: Self.da1GraphicsID, version: version + Self.da1GraphicsID, colorsRead: "\(e)[?1;0;1024S" + Self.da1GraphicsID,
      colorsMax: "\(e)[?1;0;1024S" + Self.da1GraphicsID, geometryRead: "\(e)[?2;0;1000;600S" + Self.da1GraphicsID,
      geometryMax: "\(e)[?2;0;1000;1000S" + Self.da1GraphicsID), cell: Self.cell, trueColor: true)
    #expect(graphicsID.sixelLabel == "sixel 1024 colours (XTerm(379), max 1000x1000)")
    #expect(graphicsID.trueColor && graphicsID.cellPixels == Self.cell)
  }

  @Test func missingReadsFallBackToTheMaximumAndBack() {
    let e = Self.e
    let onlyMax = TerminalProbe.capabilities(from: .init(da1: Self.da1VT340, colorsMax: "\(e)[?1;0;512S",
                                                         geometryRead: "\(e)[?2;0;800;480S"),
                                             cell: Self.cell, trueColor: false)
    #expect(onlyMax.colorRegisters == 512 && onlyMax.maxSixelGeometry == PixelSize(width: 800, height: 480))
    #expect(onlyMax.sixelLabel == "sixel 512 colours (unnamed terminal, max 800x480)")
    // Nothing answered (tmux, or the probe skipped): no sixel, defaults for everything.
    let none = TerminalProbe.capabilities(from: .init(), cell: Self.cell, trueColor: false)
    #expect(!none.sixel && none.sixelColors == 256 && none.sixelMaxPicture == PixelSize(width: 1000, height: 1000))
  }

  /// mlterm 3.9.0 as observed under Xvfb: no XTVERSION reply, 1024 registers (read and maximum), and
  /// the geometry queries answered with a failure that names item 1 (`ESC[?1;3;0S`).
  @Test func capabilitiesOfMlterm() {
    let e = Self.e, da1 = "\(e)[?63;1;2;3;4;6;7;15;18;22;29c"
    let caps = TerminalProbe.capabilities(from: .init(
      da1: da1, version: da1, colorsRead: "\(e)[?1;0;1024S" + da1, colorsMax: "\(e)[?1;0;1024S" + da1,
      geometryRead: "\(e)[?1;3;0S" + da1, geometryMax: "\(e)[?1;3;0S" + da1), cell: PixelSize(width: 10, height: 22),
      trueColor: false, fallbackName: TerminalProbe.environmentName(["MLTERM": "3.9.0", "TERM_PROGRAM": "x"]))
    #expect(caps.sixel && caps.colorRegisters == 1024 && caps.maxSixelGeometry == nil)
    #expect(caps.sixelLabel == "sixel 1024 colours (mlterm 3.9.0, max 1000x1000 assumed)")
    #expect(TerminalProbe.environmentName(["TERM_PROGRAM": "WezTerm", "TERM_PROGRAM_VERSION": "2024"]) == "WezTerm 2024")
    #expect(TerminalProbe.environmentName(["MLTERM": "\u{1B}]0;x"]) == nil && TerminalProbe.environmentName([:]) == nil)
  }

  @Test(arguments: [(nil, 256), (2, 16), (16, 16), (255, 255), (1024, 1024), (4096, 1024)])
  func paletteSizeIsClampedTo16Through1024(_ registers: Int?, _ used: Int) {
    let caps = TerminalCapabilities(sixel: true, trueColor: false, cellPixels: Self.cell, colorRegisters: registers)
    #expect(caps.sixelColors == used)
  }

  /// Seeded random byte strings (with many ESC, `[`, `?`, digits, `;`, `S`, `c`, `P`, `|`, `\`):
  /// parsing never traps, and anything it returns is in range.
  @Test func garbageNeverTrapsAndYieldsOnlyValidValues() {
    var rng = SeededGenerator(seed: 12)
    let alphabet = Array("\u{1B}[?0123456789;;ScP>|\\x \u{7}\u{9C}é".unicodeScalars)
    for _ in 0..<3000 {
      let n = Int.random(in: 0..<40, using: &rng)
      let s = String(String.UnicodeScalarView((0..<n).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &rng)] }))
      _ = TerminalProbe.hasSixel(da1: s)
      if let v = TerminalProbe.terminalVersion(s) { #expect((1...80).contains(v.count)) }
      for item in 1...2 {
        if let values = TerminalProbe.graphicsAttribute(s, item: item) { #expect(values.allSatisfy { (1...65535).contains($0) }) }
      }
      let caps = TerminalProbe.capabilities(from: .init(da1: s, version: s, colorsRead: s, colorsMax: s, geometryRead: s,
                                                        geometryMax: s), cell: Self.cell, trueColor: false)
      #expect(TerminalCapabilities.sixelColorRange.contains(caps.sixelColors))
      #expect(caps.sixelMaxPicture.width >= 16 && caps.sixelMaxPicture.height >= 16)
    }
  }
}
