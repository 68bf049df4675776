import SRTensor
import Testing

@Suite struct CheckedTests {
  @Test func overflowIsNilOrANamedErrorNeverATrap() {
    #expect(Checked.product([2, 3, 7]) == 42 && Checked.product([]) == 1)
    #expect(Checked.product([1 << 32, 1 << 32]) == nil)
    #expect(Checked.product(Int.max, 2) == nil && Checked.sum(Int.max, 1) == nil && Checked.sum(-1, 1) == 0)
    #expect(throws: SizeOverflow(field: "shape", factors: [1 << 40, 1 << 40])) {
      try Checked.product([1 << 40, 1 << 40], field: "shape")
    }
    #expect(SizeOverflow(field: "shape", factors: [4, 1 << 62]).description
      == "shape overflows: 4 x 4611686018427387904 does not fit a 64-bit size")
  }
}
