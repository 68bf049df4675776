// Training-conv benchmark (not a unit test). Built and run by bench_conv.sh.
//
// Times forward, backward-data and backward-weights of the study's conv layers on an NCHW batch
// (batch 16) for five implementations and prints GFLOP/s (2 x multiply-adds per second, minimum
// time over the repetitions) with the winner of each row:
//   trainer    the trainer's first conv (before the side-by-side Winograd path), kept as the
//              baseline: per sample im2col + one SGEMM (samples over Parallel's workers), backward
//              per sample Wt.dY + col2im, then dW += dY.colt per sample in order
//   winograd   Conv3x3Kernel (the inference kernel) per sample, samples over the workers, its
//              weight transform included; backward-data is the same conv with the weights
//              transposed and flipped (3x3 only; maps under 16 px take its im2col fallback)
//   gemm1      backward-weights only: im2col of the whole batch and ONE SGEMM
//              dW[out, K] = dY[out, N*HW] . col[K, N*HW]t (GEMM splits it over the workers)
//   dnnl-f32   DNNLConvolution, fp32 (reorders NCHW/OIHW <-> oneDNN's layouts included), 4 fixed
//              batch slices on Parallel's workers as the trainer runs it (its weight gradient)
//   dnnl-bf16  DNNLConvolution, bf16 weights and activations, f32 accumulation and outputs
//   -omp       the same on oneDNN's OpenMP team instead of batch slices on Parallel's workers
//              (OMP_WAIT_POLICY, read when libgomp loads, decides whether its idle threads spin)
// Usage: bench_conv [threads=2] [reps=3] [filter substring]; BENCH_OMP=1 adds the -omp columns
// (set already when OMP_WAIT_POLICY is).
import CBLAS
import Foundation
import SRTensor

struct Layer {
  let cin, cout, size: Int
  var label: String { "\(cin)->\(cout) @\(size)" }
}

let lrShapes = [(3, 32), (32, 32), (32, 128), (64, 64), (64, 256), (64, 32), (96, 32), (128, 32), (160, 32), (192, 64)]
let layers = [24, 8].flatMap { size in lrShapes.map { Layer(cin: $0.0, cout: $0.1, size: size) } }
  + [(3, 32), (32, 32), (64, 64)].map { Layer(cin: $0.0, cout: $0.1, size: 96) }
let batch = 16

let args = CommandLine.arguments
let threads = args.count > 1 ? Int(args[1]) ?? 2 : 2
let reps = args.count > 2 ? Int(args[2]) ?? 3 : 3
let filter = args.count > 3 ? args[3] : ""
Parallel.setThreads(threads)

// MARK: timing

func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

/// Minimum wall time of `body` over `reps` runs after one warm-up (fewer when a run takes > 2 s).
func time(_ body: () throws -> Void) rethrows -> Double {
  try body()
  var best = Double.infinity
  for _ in 0..<reps {
    let t0 = now()
    try body()
    let t = now() - t0
    best = min(best, t)
    if t > 2 { break }
  }
  return best
}

// MARK: data

var rng = SystemRandomNumberGenerator()
func random(_ count: Int, scale: Float = 1) -> [Float] {
  (0..<count).map { _ in Float.random(in: -1...1, using: &rng) * scale }
}

/// Largest |a - b| / max(1, |b|).
func deviation(_ a: [Float], _ b: [Float]) -> Float {
  zip(a, b).reduce(0) { max($0, abs($1.0 - $1.1) / max(1, abs($1.1))) }
}

// MARK: (a) the trainer's first conv (per-sample im2col; the baseline), 3x3 stride 1 padding 1

/// im2col of one CHW sample into `col` (`[cin*9, h*w]`, row stride `ld`), stride 1 padding 1.
func im2col(_ x: UnsafePointer<Float>, cin: Int, h: Int, w: Int, _ col: UnsafeMutablePointer<Float>, ld: Int) {
  for ci in 0..<cin {
    let plane = x + ci * h * w
    for ky in 0..<3 {
      for kx in 0..<3 {
        let row = col + ((ci * 3 + ky) * 3 + kx) * ld
        let shift = kx - 1
        let lo = max(0, -shift), hi = min(w, w - shift)
        for oy in 0..<h {
          let dst = row + oy * w
          let iy = oy - 1 + ky
          if iy < 0 || iy >= h {
            dst.update(repeating: 0, count: w)
            continue
          }
          dst.update(repeating: 0, count: lo)
          (dst + lo).update(from: plane + iy * w + lo + shift, count: hi - lo)
          (dst + hi).update(repeating: 0, count: w - hi)
        }
      }
    }
  }
}

/// `dx += col2im(col)` for one sample (the adjoint of `im2col`).
func col2im(_ col: UnsafePointer<Float>, cin: Int, h: Int, w: Int, _ dx: UnsafeMutablePointer<Float>) {
  let n = h * w
  for ci in 0..<cin {
    let plane = dx + ci * n
    for ky in 0..<3 {
      for kx in 0..<3 {
        let row = col + ((ci * 3 + ky) * 3 + kx) * n
        let shift = kx - 1
        let lo = max(0, -shift), hi = min(w, w - shift)
        for oy in 0..<h {
          let iy = oy - 1 + ky
          if iy < 0 || iy >= h { continue }
          let src = row + oy * w, dst = plane + iy * w + shift
          for ox in lo..<hi { dst[ox] += src[ox] }
        }
      }
    }
  }
}

struct TrainerConv {
  let l: Layer
  var k: Int { l.cin * 9 }
  var hw: Int { l.size * l.size }
  static let columnBudgetBytes = 64 << 20

  func forward(_ x: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ b: UnsafePointer<Float>,
               _ y: UnsafeMutablePointer<Float>) {
    let (k, hw, l) = (k, hw, l)
    Parallel.forEachRange(batch) { samples in
      let col = UnsafeMutablePointer<Float>.allocate(capacity: k * hw)
      defer { col.deallocate() }
      for s in samples {
        im2col(x + s * l.cin * hw, cin: l.cin, h: l.size, w: l.size, col, ld: hw)
        let out = y + s * l.cout * hw
        GEMM.sgemm(transposeA: false, transposeB: false, m: l.cout, n: hw, k: k, alpha: 1, a: w, lda: k,
                   b: col, ldb: hw, beta: 0, c: out, ldc: hw, splittable: false)
        for o in 0..<l.cout {
          let p = out + o * hw, bias = b[o]
          for i in 0..<hw { p[i] += bias }
        }
      }
    }
  }

  func backwardData(_ dy: UnsafePointer<Float>, _ w: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>) {
    let (k, hw, l) = (k, hw, l)
    dx.update(repeating: 0, count: batch * l.cin * hw)
    Parallel.forEachRange(batch) { samples in
      let dcol = UnsafeMutablePointer<Float>.allocate(capacity: k * hw)
      defer { dcol.deallocate() }
      for s in samples {
        GEMM.sgemm(transposeA: true, transposeB: false, m: k, n: hw, k: l.cout, alpha: 1, a: w, lda: k,
                   b: dy + s * l.cout * hw, ldb: hw, beta: 0, c: dcol, ldc: hw, splittable: false)
        col2im(dcol, cin: l.cin, h: l.size, w: l.size, dx + s * l.cin * hw)
      }
    }
  }

  func backwardWeights(_ x: UnsafePointer<Float>, _ dy: UnsafePointer<Float>, _ gw: UnsafeMutablePointer<Float>,
                       _ gb: UnsafeMutablePointer<Float>) {
    let (k, hw, l) = (k, hw, l)
    gw.update(repeating: 0, count: l.cout * k)
    gb.update(repeating: 0, count: l.cout)
    let group = max(1, min(batch, Self.columnBudgetBytes / (4 * k * hw)))
    let cols = UnsafeMutablePointer<Float>.allocate(capacity: group * k * hw)
    defer { cols.deallocate() }
    for g0 in stride(from: 0, to: batch, by: group) {
      let samples = g0..<min(batch, g0 + group)
      Parallel.forEach(samples.count) { i in
        im2col(x + (g0 + i) * l.cin * hw, cin: l.cin, h: l.size, w: l.size, cols + i * k * hw, ld: hw)
      }
      Parallel.forEach(2) { part in
        for s in samples {
          let d = dy + s * l.cout * hw
          if part == 0 {
            GEMM.sgemm(transposeA: false, transposeB: true, m: l.cout, n: k, k: hw, alpha: 1, a: d, lda: hw,
                       b: cols + (s - g0) * k * hw, ldb: hw, beta: 1, c: gw, ldc: k, splittable: false)
            continue
          }
          for o in 0..<l.cout {
            var acc: Float = 0
            let p = d + o * hw
            for i in 0..<hw { acc += p[i] }
            gb[o] += acc
          }
        }
      }
    }
  }
}

// MARK: (c) backward-weights as one SGEMM over the batch

func backwardWeightsOneGEMM(_ l: Layer, _ x: UnsafePointer<Float>, _ dy: UnsafePointer<Float>,
                            _ gw: UnsafeMutablePointer<Float>, _ gb: UnsafeMutablePointer<Float>) {
  let k = l.cin * 9, hw = l.size * l.size, total = batch * hw
  let cols = UnsafeMutablePointer<Float>.allocate(capacity: k * total)
  let dyT = UnsafeMutablePointer<Float>.allocate(capacity: l.cout * total)
  defer { cols.deallocate(); dyT.deallocate() }
  // Sample s is columns s*hw ..< (s+1)*hw of both matrices.
  Parallel.forEach(batch) { s in
    im2col(x + s * l.cin * hw, cin: l.cin, h: l.size, w: l.size, cols + s * hw, ld: total)
    for o in 0..<l.cout { (dyT + o * total + s * hw).update(from: dy + (s * l.cout + o) * hw, count: hw) }
  }
  GEMM.sgemm(transposeA: false, transposeB: true, m: l.cout, n: k, k: total, alpha: 1, a: dyT, lda: total,
             b: cols, ldb: total, beta: 0, c: gw, ldc: k)
  for o in 0..<l.cout {
    var acc: Float = 0
    let p = dyT + o * total
    for i in 0..<total { acc += p[i] }
    gb[o] = acc
  }
}

// MARK: (b) the Winograd inference kernel per sample

/// `kernel` on each sample of `x` (`cin` channels) into `y`, samples over the workers.
func perSample(_ kernel: Conv3x3Kernel, _ l: Layer, cin: Int, cout: Int, _ x: [Float], _ y: UnsafeMutablePointer<Float>) {
  let hw = l.size * l.size
  let out = UncheckedSendable(y)
  Parallel.forEach(batch) { s in
    let t = Tensor(shape: [cin, l.size, l.size], data: Array(x[(s * cin * hw)..<((s + 1) * cin * hw)]))
    let r = kernel(t)
    r.data.withUnsafeBufferPointer { (out.value + s * cout * hw).update(from: $0.baseAddress!, count: cout * hw) }
  }
}

/// OIHW weights of the transposed conv: `w'[i, o, ky, kx] = w[o, i, 2 - ky, 2 - kx]`.
func transposedFlipped(_ w: [Float], _ l: Layer) -> [Float] {
  var t = [Float](repeating: 0, count: w.count)
  for o in 0..<l.cout {
    for i in 0..<l.cin {
      for q in 0..<9 { t[(i * l.cout + o) * 9 + q] = w[(o * l.cin + i) * 9 + 8 - q] }
    }
  }
  return t
}

// MARK: run

// oneDNN as the trainer runs it (`.fixedSlices`: 4 slices of the batch on the workers). The
// OpenMP variants only when OMP_WAIT_POLICY or BENCH_OMP is set: with libgomp's default
// spinning they take up to 1000x longer on a busy machine (see DNNLConvolution.Threading).
let environment = ProcessInfo.processInfo.environment
let runOpenMP = environment["OMP_WAIT_POLICY"] != nil || environment["BENCH_OMP"] != nil
let dnnlVariants: [(DNNLConvolution.Precision, DNNLConvolution.Threading)] =
  [(.fp32, .fixedSlices), (.bf16, .fixedSlices)] + (runOpenMP ? [(.fp32, .openMP), (.bf16, .openMP)] : [])
let methods = ["trainer", "winograd", "gemm1", "dnnl-f32", "dnnl-bf16", "dnnl-f32-omp", "dnnl-bf16-omp"]
let passes = ["forward", "bwd-data", "bwd-weights"]
print("bench_conv: batch \(batch), threads \(threads), reps \(reps) (minimum), OpenBLAS core \(Parallel.blasCoreName), "
      + "OPENBLAS_CORETYPE=\(ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] ?? "unset"), "
      + "oneDNN \(DNNL.version) ISA \(DNNL.cpuISA) (CPU AMX-BF16: \(DNNL.cpuHasAMXBF16)), "
      + "Winograd ISA \(WinogradKernels.active.name), "
      + "OMP_WAIT_POLICY=\(ProcessInfo.processInfo.environment["OMP_WAIT_POLICY"] ?? "unset")")
print("GFLOP/s = 2 x MACs / min time; '-' = not applicable. best: fastest of all; best fp32: fastest without bf16.")
print("| layer | pass | " + methods.joined(separator: " | ") + " | best fp32 | best |")
print("|" + String(repeating: " --- |", count: methods.count + 4))
var implementations = [String: [String]]()  // kernels -> layers
var winners = [String: [String: Int]]()  // pass -> method -> rows won (fp32)

for l in layers where filter.isEmpty || l.label.contains(filter) {
  let g = DNNLConvolution.Geometry(batch: batch, inChannels: l.cin, outChannels: l.cout, height: l.size,
                                   width: l.size, kernel: 3, padding: 1)
  let x = random(g.inputCount), dy = random(g.outputCount)
  let w = random(g.weightCount, scale: 1 / Float(9 * l.cin).squareRoot()), b = random(l.cout)
  let flop = 2 * Double(g.macs)
  var y = [Float](repeating: 0, count: g.outputCount), dx = [Float](repeating: 0, count: g.inputCount)
  var gw = [Float](repeating: 0, count: g.weightCount), gb = [Float](repeating: 0, count: l.cout)
  var seconds = [String: [String: Double]]()  // pass -> method -> s
  var checks = [String]()
  var reference: (y: [Float], dx: [Float], gw: [Float])?

  let trainer = TrainerConv(l: l)
  x.withUnsafeBufferPointer { xp in
    w.withUnsafeBufferPointer { wp in
      b.withUnsafeBufferPointer { bp in
        dy.withUnsafeBufferPointer { dyp in
          let (xs, ws, bs, dys) = (xp.baseAddress!, wp.baseAddress!, bp.baseAddress!, dyp.baseAddress!)
          y.withUnsafeMutableBufferPointer { yp in
            seconds["forward", default: [:]]["trainer"] = time { trainer.forward(xs, ws, bs, yp.baseAddress!) }
          }
          dx.withUnsafeMutableBufferPointer { dxp in
            seconds["bwd-data", default: [:]]["trainer"] = time { trainer.backwardData(dys, ws, dxp.baseAddress!) }
          }
          gw.withUnsafeMutableBufferPointer { gwp in
            gb.withUnsafeMutableBufferPointer { gbp in
              seconds["bwd-weights", default: [:]]["trainer"] = time {
                trainer.backwardWeights(xs, dys, gwp.baseAddress!, gbp.baseAddress!)
              }
            }
          }
        }
      }
    }
  }
  reference = (y, dx, gw)

  // (b) Winograd: weight transform inside the timed call (weights change every step).
  var yw = [Float](repeating: 0, count: g.outputCount), dxw = [Float](repeating: 0, count: g.inputCount)
  let wt = Tensor(shape: [l.cout, l.cin, 3, 3], data: w), bt = Tensor(shape: [l.cout], data: b)
  yw.withUnsafeMutableBufferPointer { yp in
    seconds["forward", default: [:]]["winograd"] = time {
      perSample(Conv3x3Kernel(weight: wt, bias: bt), l, cin: l.cin, cout: l.cout, x, yp.baseAddress!)
    }
  }
  dxw.withUnsafeMutableBufferPointer { dxp in
    seconds["bwd-data", default: [:]]["winograd"] = time {
      let flipped = Tensor(shape: [l.cin, l.cout, 3, 3], data: transposedFlipped(w, l))
      perSample(Conv3x3Kernel(weight: flipped, bias: nil), l, cin: l.cout, cout: l.cin, dy, dxp.baseAddress!)
    }
  }
  checks.append(String(format: "winograd fwd %.1e bwd-data %.1e", deviation(yw, reference!.y), deviation(dxw, reference!.dx)))

  // (c) one SGEMM for the weight gradient.
  var gw1 = [Float](repeating: 0, count: g.weightCount), gb1 = [Float](repeating: 0, count: l.cout)
  x.withUnsafeBufferPointer { xp in
    dy.withUnsafeBufferPointer { dyp in
      gw1.withUnsafeMutableBufferPointer { gwp in
        gb1.withUnsafeMutableBufferPointer { gbp in
          seconds["bwd-weights", default: [:]]["gemm1"] = time {
            backwardWeightsOneGEMM(l, xp.baseAddress!, dyp.baseAddress!, gwp.baseAddress!, gbp.baseAddress!)
          }
        }
      }
    }
  }
  checks.append(String(format: "gemm1 %.1e", deviation(gw1, reference!.gw)))

  // (d), (e) oneDNN; primitive creation timed apart.
  for (precision, threading) in dnnlVariants {
    let name = "dnnl-\(precision == .fp32 ? "f32" : "bf16")" + (threading == .openMP ? "-omp" : "")
    do {
      let t0 = now()
      let conv = try DNNLConvolution(g, precision: precision, threads: threads, threading: threading)
      for pass in DNNLConvolution.Pass.allCases { try conv.prepare(pass) }
      let created = now() - t0
      var yd = [Float](repeating: 0, count: g.outputCount), dxd = [Float](repeating: 0, count: g.inputCount)
      var gwd = [Float](repeating: 0, count: g.weightCount), gbd = [Float](repeating: 0, count: l.cout)
      try x.withUnsafeBufferPointer { xp in
        try w.withUnsafeBufferPointer { wp in
          try b.withUnsafeBufferPointer { bp in
            try dy.withUnsafeBufferPointer { dyp in
              let (xs, ws, bs, dys) = (xp.baseAddress!, wp.baseAddress!, bp.baseAddress!, dyp.baseAddress!)
              try yd.withUnsafeMutableBufferPointer { yp in
                seconds["forward", default: [:]][name] = try time {
                  try conv.forward(input: xs, weight: ws, bias: bs, output: yp.baseAddress!)
                }
              }
              try dxd.withUnsafeMutableBufferPointer { dxp in
                seconds["bwd-data", default: [:]][name] = try time {
                  try conv.backwardData(outputGradient: dys, weight: ws, inputGradient: dxp.baseAddress!)
                }
              }
              try gwd.withUnsafeMutableBufferPointer { gwp in
                try gbd.withUnsafeMutableBufferPointer { gbp in
                  seconds["bwd-weights", default: [:]][name] = try time {
                    try conv.backwardWeights(input: xs, outputGradient: dys, weightGradient: gwp.baseAddress!,
                                             biasGradient: gbp.baseAddress!)
                  }
                }
              }
            }
          }
        }
      }
      checks.append(String(format: "%@ fwd %.1e bwd-data %.1e bwd-weights %.1e (created in %.0f ms)", name,
                           deviation(yd, reference!.y), deviation(dxd, reference!.dx), deviation(gwd, reference!.gw),
                           created * 1e3))
      let kernels = DNNLConvolution.Pass.allCases.map { conv.implementation($0) }.joined(separator: ", ")
      implementations[name + ": " + kernels, default: []].append(l.label)
      // The same passes on one thread: which results depend on the thread count.
      if threads != 1 {
        let single = try DNNLConvolution(g, precision: precision, threads: 1, threading: threading)
        let same = [try single.forward(x, weight: w, bias: b) == yd, try single.backwardData(dy, weight: w) == dxd,
                    try single.backwardWeights(input: x, outputGradient: dy) == (gwd, gbd)]
        checks.append("\(name) same bits on 1 thread: " + zip(passes, same).map { "\($0) \($1 ? "yes" : "no")" }
          .joined(separator: " "))
      }
    } catch {
      checks.append("\(name): \(error)")
    }
  }

  for pass in passes {
    let s = seconds[pass] ?? [:]
    let gflops = methods.map { m in s[m].map { flop / $0 / 1e9 } }
    let cells = gflops.map { $0.map { String(format: "%.1f", $0) } ?? "-" }
    let fp32 = methods.filter { !$0.contains("bf16") && s[$0] != nil }.min { s[$0]! < s[$1]! } ?? "-"
    let best = methods.filter { s[$0] != nil }.min { s[$0]! < s[$1]! } ?? "-"
    winners[pass, default: [:]][fp32, default: 0] += 1
    print("| \(l.label) | \(pass) | " + cells.joined(separator: " | ") + " | \(fp32) | \(best) |")
  }
  print("|   | checks vs trainer: \(checks.joined(separator: "; ")) |")
  fflush(stdout)
}

print("\nfp32 winners (rows won per pass): "
      + passes.map { p in "\(p): " + (winners[p] ?? [:]).sorted { $0.value > $1.value }.map { "\($0.key) \($0.value)" }
        .joined(separator: ", ") }.joined(separator: "; "))
print("oneDNN kernels (forward, backward-data, backward-weights):")
for key in implementations.keys.sorted() { print("  \(key)   [\(implementations[key]!.joined(separator: ", "))]") }
