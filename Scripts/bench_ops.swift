// Conv2d throughput benchmark for SRTensor (not a unit test). Built and run by bench_ops.sh.
// Times each distinct 3x3 conv shape of RRDBNet (64 feat, 23 blocks, 32 grow, x4) at a
// 128x128 LR input and projects the model's total conv time from the per-shape minimum.
import Foundation
import CBLAS
import SRTensor

struct Shape { let label: String; let cin, cout, size, countInModel: Int }

let shapes = [
  Shape(label: "rdb conv1  64->32 @128", cin: 64, cout: 32, size: 128, countInModel: 69),
  Shape(label: "rdb conv2  96->32 @128", cin: 96, cout: 32, size: 128, countInModel: 69),
  Shape(label: "rdb conv3 128->32 @128", cin: 128, cout: 32, size: 128, countInModel: 69),
  Shape(label: "rdb conv4 160->32 @128", cin: 160, cout: 32, size: 128, countInModel: 69),
  Shape(label: "rdb conv5 192->64 @128", cin: 192, cout: 64, size: 128, countInModel: 69),
  Shape(label: "first      3->64 @128", cin: 3, cout: 64, size: 128, countInModel: 1),
  Shape(label: "body      64->64 @128", cin: 64, cout: 64, size: 128, countInModel: 1),
  Shape(label: "up1       64->64 @256", cin: 64, cout: 64, size: 256, countInModel: 1),
  Shape(label: "up2/hr    64->64 @512", cin: 64, cout: 64, size: 512, countInModel: 2),
  Shape(label: "last      64->3  @512", cin: 64, cout: 3, size: 512, countInModel: 1),
]

let args = CommandLine.arguments
let threads = args.count > 1 ? Int(args[1]) ?? 2 : 2
let reps = args.count > 2 ? Int(args[2]) ?? 5 : 5
Parallel.setThreads(threads)
print("threads \(threads), OpenBLAS core \(Parallel.blasCoreName), reps \(reps) (min and median)")

var rng = SystemRandomNumberGenerator()
func random(_ shape: [Int]) -> Tensor {
  Tensor(shape: shape, data: (0..<shape.reduce(1, *)).map { _ in Float.random(in: -1...1, using: &rng) })
}

/// Process CPU time (user + sys of all threads) in seconds: stable under load from other
/// processes, unlike wall time (OpenBLAS spin-waiting inflates it slightly).
func cpuSeconds() -> Double {
  var ts = timespec()
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
  return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

var projected = 0.0, projectedCPU = 0.0, totalFlop = 0.0
for s in shapes {
  let x = random([s.cin, s.size, s.size])
  let w = random([s.cout, s.cin, 3, 3]).data.map { $0 * 0.05 }
  let weight = Tensor(shape: [s.cout, s.cin, 3, 3], data: w)
  let bias = random([s.cout])
  var times = [Double](), cpu = [Double]()
  for _ in 0..<(reps + 1) {
    let t0 = DispatchTime.now().uptimeNanoseconds, c0 = cpuSeconds()
    let y = Ops.conv2d(x, weight: weight, bias: bias, activation: .leakyReLU(0.2))
    cpu.append(cpuSeconds() - c0)
    times.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
    precondition(y.count == s.cout * s.size * s.size)
  }
  times.removeFirst()  // warm-up
  cpu.removeFirst()
  cpu.sort()
  let k = s.cin * 9, n = s.size * s.size
  let col = [Float](repeating: 0.5, count: k * n)
  var c = [Float](repeating: 0, count: s.cout * n)
  var gemmTimes = [Double]()
  for _ in 0..<reps {
    let t0 = DispatchTime.now().uptimeNanoseconds
    weight.data.withUnsafeBufferPointer { w in
      col.withUnsafeBufferPointer { b in
        c.withUnsafeMutableBufferPointer { out in
          GEMM.sgemm(transposeA: false, transposeB: false, m: s.cout, n: n, k: k, alpha: 1,
                     a: w.baseAddress!, lda: k, b: b.baseAddress!, ldb: n, beta: 0, c: out.baseAddress!, ldc: n)
        }
      }
    }
    gemmTimes.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e9)
  }
  times.sort()
  let flop = 2.0 * Double(s.cin * 9 * s.cout * s.size * s.size)
  let best = times[0], median = times[times.count / 2]
  projected += best * Double(s.countInModel)
  projectedCPU += cpu[cpu.count / 2] * Double(s.countInModel)
  totalFlop += flop * Double(s.countInModel)
  let gemmBest = gemmTimes.min() ?? 0
  print(String(format: "%@  %7.2f ms (median %7.2f)  %6.1f GFLOP/s  %6.1f GFLOP/CPU-s   [bare sgemm %6.1f GFLOP/s]",
               s.label, best * 1e3, median * 1e3, flop / best / 1e9, flop / cpu[cpu.count / 2] / 1e9,
               flop / gemmBest / 1e9))
}
print(String(format: "RRDBNet x4 @128x128: %.0f GFLOP in 351 convs, projected %.2f s wall (%.1f GFLOP/s), %.2f CPU-s",
             totalFlop / 1e9, projected, totalFlop / projected / 1e9, projectedCPU))
