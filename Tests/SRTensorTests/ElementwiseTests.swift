import SRTensor
import SRTestSupport
import Testing

/// CHW shapes for element-wise ops: single pixel, odd sizes, one channel, and one large enough
/// (76 000 elements) to span several parallel blocks.
let elementwiseShapes: [[Int]] = [[1, 1, 1], [1, 5, 7], [3, 13, 9], [5, 2, 3], [2, 200, 190]]

private func expectClose(_ actual: Tensor, _ expected: [Double], _ label: String) {
  let d = Deviation(actual.data, expected)
  #expect(d.error <= Tolerance.opElement, "\(label) \(actual.shapeDescription): \(d)")
}

@Suite struct ElementwiseTests {
  @Test(arguments: elementwiseShapes)
  func activationsMatchFormula(_ shape: [Int]) {
    let x = seededTensor(shape, seed: 10)
    let v = Reference.wide(x)
    expectClose(Ops.relu(x), v.map { max($0, 0) }, "relu")
    expectClose(Ops.leakyReLU(x, slope: 0.2), v.map { $0 >= 0 ? $0 : 0.2 * $0 }, "leakyReLU")
    var inPlace = x
    inPlace.applyLeakyReLU(slope: 0.1)
    expectClose(inPlace, v.map { $0 >= 0 ? $0 : 0.1 * $0 }, "applyLeakyReLU")
  }

  @Test(arguments: elementwiseShapes)
  func preluUsesPerChannelOrSharedSlope(_ shape: [Int]) {
    let x = seededTensor(shape, seed: 11)
    let plane = shape[1] * shape[2]
    let slopes = seededTensor([shape[0]], seed: 12)
    let expected = x.data.indices.map { i in
      let v = Double(x.data[i])
      return v >= 0 ? v : Double(slopes.data[i / plane]) * v
    }
    expectClose(Ops.prelu(x, slopes: slopes), expected, "prelu [C]")
    let shared = Tensor(shape: [1], data: [0.25])
    expectClose(Ops.prelu(x, slopes: shared), Reference.wide(x).map { $0 >= 0 ? $0 : 0.25 * $0 }, "prelu [1]")
  }

  @Test(arguments: elementwiseShapes)
  func batchNormMatchesInferenceFormula(_ shape: [Int]) {
    let x = seededTensor(shape, seed: 13)
    let c = shape[0], plane = shape[1] * shape[2]
    let mean = seededTensor([c], seed: 14)
    var g = SeededGenerator(seed: 15)
    let variance = Tensor(shape: [c], data: g.floats(c, in: 0.01...2))
    let weight = seededTensor([c], seed: 16), bias = seededTensor([c], seed: 17)
    let expected = x.data.indices.map { i in
      let ch = i / plane
      return (Double(x.data[i]) - Double(mean.data[ch])) / (Double(variance.data[ch]) + 1e-5).squareRoot()
        * Double(weight.data[ch]) + Double(bias.data[ch])
    }
    expectClose(Ops.batchNorm(x, mean: mean, variance: variance, weight: weight, bias: bias),
                expected, "batchNorm")
  }

  @Test(arguments: elementwiseShapes)
  func addAndScaledAddMatchFormula(_ shape: [Int]) {
    let a = seededTensor(shape, seed: 18), b = seededTensor(shape, seed: 19)
    let va = Reference.wide(a), vb = Reference.wide(b)
    expectClose(Ops.add(a, b), zip(va, vb).map { $0 + $1 }, "add")
    expectClose(Ops.add(a, b, scale: 0.2), zip(va, vb).map { $0 + 0.2 * $1 }, "add scale 0.2")
    expectClose(Ops.scaledAdd(a, b, alpha: 0.2, beta: -1.5), zip(va, vb).map { 0.2 * $0 - 1.5 * $1 },
                "scaledAdd")
    var inPlace = a
    inPlace.add(b, scale: -0.5)
    expectClose(inPlace, zip(va, vb).map { $0 - 0.5 * $1 }, "in-place add")
  }

  @Test func concatStacksChannelsInOrder() {
    let a = seededTensor([1, 5, 7], seed: 20), b = seededTensor([3, 5, 7], seed: 21)
    let c = seededTensor([2, 5, 7], seed: 22)
    let y = Ops.concat([a, b, c])
    #expect(y.shape == [6, 5, 7])
    #expect(y[0, 4, 6] == a[0, 4, 6])
    #expect(y[1, 0, 0] == b[0, 0, 0] && y[3, 2, 3] == b[2, 2, 3])
    #expect(y[4, 1, 5] == c[0, 1, 5] && y[5, 4, 6] == c[1, 4, 6])
    #expect(y.data == a.data + b.data + c.data)
  }
}

/// Element-wise and resampling ops split work by fixed blocks or channels, never by thread count,
/// so one and two threads must agree bit for bit.
@Suite(.serialized) struct ThreadDeterminismTests {
  static func runAll() -> [Tensor] {
    let x = seededTensor([6, 130, 90], seed: 30), b = seededTensor([6, 130, 90], seed: 31)
    let p = seededTensor([6], seed: 32)
    var inPlace = x
    inPlace.add(b, scale: 0.2)
    inPlace.applyLeakyReLU(slope: 0.2)
    return [
      Ops.relu(x), Ops.leakyReLU(x, slope: 0.2), Ops.prelu(x, slopes: p),
      Ops.batchNorm(x, mean: p, variance: Ops.relu(p), weight: p, bias: p),
      Ops.add(x, b, scale: 0.2), Ops.scaledAdd(x, b, alpha: 0.3, beta: 0.7), inPlace,
      Ops.upsampleNearest(x, factor: 2), Ops.upsampleBilinear(x, factor: 2),
      Ops.pixelShuffle(x.reshaped([24, 65, 45]), factor: 2), Ops.pixelUnshuffle(x, factor: 2),
      Ops.maxPool2d(x, kernel: 3, stride: 2), Ops.concat([x, b]),
    ]
  }

  static func conv() -> Tensor {
    let x = seededTensor([6, 130, 90], seed: 30), weight = seededTensor([4, 6, 3, 3], seed: 33)
    return Ops.conv2d(x, weight: weight, bias: nil, activation: .leakyReLU(0.2))
  }

  @Test func oneAndTwoThreadsGiveIdenticalResults() {
    let saved = Parallel.threads
    defer { Parallel.setThreads(saved) }
    Parallel.setThreads(1)
    let one = Self.runAll(), convOne = Self.conv()
    Parallel.setThreads(2)
    let two = Self.runAll(), convTwo = Self.conv()
    for (i, (a, b)) in zip(one, two).enumerated() {
      let differing = zip(a.data, b.data).filter { $0 != $1 }.count
      #expect(a.shape == b.shape && differing == 0,
              "op #\(i): \(differing) elements differ between 1 and 2 threads")
    }
    // OpenBLAS may change its summation order with the thread count, so conv only agrees to
    // rounding: the tolerance is the op tolerance against each other.
    let d = Deviation(convTwo.data, convOne.data.map(Double.init))
    #expect(d.error <= Tolerance.opElement, "conv 1 vs 2 threads: \(d)")
  }
}
