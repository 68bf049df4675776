import CDNNL
import CDNNLConv
import Foundation

/// A oneDNN failure, or a shape or buffer that a `DNNLConvolution` cannot run, as one line.
public struct DNNLError: Error, CustomStringConvertible, Equatable, Sendable {
  /// The message, e.g. `oneDNN convolution forward: primitive creation failed: unimplemented`.
  public var message: String
  public init(_ message: String) { self.message = message }
  public var description: String { message }
}

/// The oneDNN library SRScope links (Debian `libdnnl-dev` 2.6, OpenMP runtime): its version and
/// the instruction set its JIT kernels dispatch to.
///
/// oneDNN picks its kernels from the CPU itself. Version 2.6.3 already includes AMX in its
/// default dispatch (`avx512_core_amx`; the Linux tile-state permission is requested by the
/// library), so nothing is enabled from here; `ONEDNN_MAX_CPU_ISA` (e.g. `AVX512_CORE_BF16`)
/// still caps it for comparisons.
public enum DNNL {
  /// `major.minor.patch` of the loaded library.
  public static var version: String {
    guard let v = dnnl_version()?.pointee else { return "unknown" }
    return "\(v.major).\(v.minor).\(v.patch)"
  }

  /// The instruction set oneDNN dispatches to (`dnnl_get_effective_cpu_isa`), by oneDNN's name
  /// (`avx512_core_amx`, `avx512_core_bf16`, `avx2`, ...). Fixes the ISA for the process.
  public static var cpuISA: String {
    let isa = dnnl_get_effective_cpu_isa()
    let names: [(dnnl_cpu_isa_t, String)] = [
      (dnnl_cpu_isa_avx512_core_amx, "avx512_core_amx"), (dnnl_cpu_isa_avx512_core_bf16, "avx512_core_bf16"),
      (dnnl_cpu_isa_avx512_core_vnni, "avx512_core_vnni"), (dnnl_cpu_isa_avx512_core, "avx512_core"),
      (dnnl_cpu_isa_avx2_vnni, "avx2_vnni"), (dnnl_cpu_isa_avx2, "avx2"), (dnnl_cpu_isa_avx, "avx"),
      (dnnl_cpu_isa_sse41, "sse41"),
    ]
    return names.first { $0.0 == isa }?.1 ?? "isa 0x\(String(isa.rawValue, radix: 16))"
  }

  /// Whether the CPU has AMX-BF16 and the OS enabled its tile state (CPUID and XCR0).
  public static var cpuHasAMXBF16: Bool { srs_cpu_has_amx_bf16() != 0 }
}

/// A 2-D convolution (square `k` x `k` kernel, stride `s`, zero padding `p`, bias) over an NCHW
/// float32 batch through oneDNN, with forward, backward-data and backward-weights passes.
///
/// `y[n, o, oy, ox] = b[o] + sum_{i,ky,kx} w[o, i, ky, kx] * x[n, i, oy*s - p + ky, ox*s - p + kx]`,
/// output `(H + 2p - k) / s + 1` per axis (PyTorch's `Conv2d`). Buffers are the caller's plain
/// float32: NCHW activations, OIHW weights, `[out]` bias. oneDNN's primitives (and the reorders
/// into the layouts it chose: channel-blocked or channels-last, bf16) are created once per
/// thread count and reused; a call reorders its arguments in and its results out.
///
/// - `fp32`: everything float32.
/// - `bf16`: weights and activations are rounded to bf16 by the input reorders (round to
///   nearest even), products accumulate in float32, outputs and gradients are float32.
///
/// Threads (`threads` if given, else `Parallel.threads`; one inside a `Parallel` worker): by
/// default (`Threading.batchSlices`) the batch is split over `Parallel`'s workers and oneDNN runs
/// single-threaded in each, so the process keeps one thread pool; `.openMP` gives one primitive
/// the whole batch on oneDNN's OpenMP team. oneDNN fixes a primitive's thread count when it is
/// made (the OpenMP count is set on the calling thread before every creation and call, since
/// OpenMP keeps it per thread), so each thread count gets its own primitives. For a fixed thread
/// count results are bit-identical run to run. Across thread counts forward and backward-data
/// keep their bits (every shape of `Scripts/bench_conv.swift`, 1 vs 2 threads, both threadings,
/// and the tests' uneven slices); backward-weights does not: batch slices add per-slice sums, and
/// oneDNN's OpenMP kernels reduce per thread (their result changed with the thread count on 48
/// of 79 fp32 and 55 of 79 bf16 benchmark rows), so it agrees across thread counts to rounding.
/// `.fixedSlices` cuts the batch the same way on every thread count, so backward-weights keeps
/// its bits too (the trainer's choice).
///
/// The fused `activation` applies to `forward` only; the backward passes take the gradient
/// with respect to the conv's output (multiply by the activation's derivative first).
/// Calls are serialised per object.
public final class DNNLConvolution: @unchecked Sendable {
  /// Batch and conv shape.
  public struct Geometry: Equatable, Sendable, CustomStringConvertible {
    public var batch, inChannels, outChannels, height, width: Int
    public var kernel, stride, padding: Int

    public init(batch: Int, inChannels: Int, outChannels: Int, height: Int, width: Int,
                kernel: Int, stride: Int = 1, padding: Int) {
      self.batch = batch; self.inChannels = inChannels; self.outChannels = outChannels
      self.height = height; self.width = width
      self.kernel = kernel; self.stride = stride; self.padding = padding
    }

    /// Output rows and columns.
    public var outHeight: Int { (height + 2 * padding - kernel) / max(1, stride) + 1 }
    public var outWidth: Int { (width + 2 * padding - kernel) / max(1, stride) + 1 }
    /// Floats of the input (NCHW), output (NCHW) and weights (OIHW).
    public var inputCount: Int { batch * inChannels * height * width }
    public var outputCount: Int { batch * outChannels * outHeight * outWidth }
    public var weightCount: Int { outChannels * inChannels * kernel * kernel }
    /// Multiply-adds of one pass (forward, backward-data and backward-weights alike).
    public var macs: Int { outputCount * inChannels * kernel * kernel }

    public var description: String {
      "\(batch)x\(inChannels)x\(height)x\(width) -> \(outChannels), \(kernel)x\(kernel) stride \(stride) padding \(padding)"
    }

    /// Throws unless every size is positive, the kernel fits the padded input, the padding is
    /// smaller than the kernel, and every buffer size fits an Int.
    func validate() throws(DNNLError) {
      let sizes = [batch, inChannels, outChannels, height, width, kernel, stride]
      guard sizes.allSatisfy({ $0 > 0 }), padding >= 0 else {
        throw DNNLError("DNNLConvolution: sizes must be positive and padding non-negative (\(self))")
      }
      guard padding < kernel else {
        throw DNNLError("DNNLConvolution: padding \(padding) is not smaller than the kernel \(kernel) (\(self))")
      }
      guard height + 2 * padding >= kernel, width + 2 * padding >= kernel else {
        throw DNNLError("DNNLConvolution: kernel larger than the padded input (\(self))")
      }
      let counts = [[batch, inChannels, height, width], [batch, outChannels, height, width],
                    [outChannels, inChannels, kernel, kernel], [4, batch, max(inChannels, outChannels), height, width]]
      guard counts.allSatisfy({ Checked.product($0) != nil }) else {
        throw DNNLError("DNNLConvolution: buffer sizes overflow (\(self))")
      }
    }
  }

  /// Number format of the products (see the type's documentation).
  public enum Precision: String, Sendable, CaseIterable {
    case fp32, bf16
  }

  /// The three passes.
  public enum Pass: Int32, Sendable, CaseIterable {
    case forward = 0, backwardData = 1, backwardWeights = 2
  }

  /// How a call is spread over threads.
  public enum Threading: String, Sendable, CaseIterable {
    /// The batch is cut into one slice per thread, each run on one of `Parallel`'s workers by a
    /// one-thread oneDNN primitive (oneDNN then starts no OpenMP team); backward-weights sums the
    /// slices' gradients in slice order.
    case batchSlices
    /// One primitive over the whole batch on oneDNN's own OpenMP team (libgomp). Its idle
    /// threads spin: on a busy machine (other processes on the cores) a 0.07 ms call took
    /// 60 ms (`Scripts/bench_conv.sh`, README); `OMP_WAIT_POLICY=passive`, read when libgomp
    /// loads, avoids that.
    case openMP
    /// The batch is cut into `fixedSliceCount` slices whatever the thread count, run on
    /// `Parallel`'s workers by one-thread primitives: backward-weights adds the same partial sums
    /// in the same order on any thread count, so all three passes keep their bits across thread
    /// counts (what the trainer needs).
    case fixedSlices
  }

  /// Slices of `.fixedSlices` (fewer when the batch is smaller).
  public static let fixedSliceCount = 4

  public let geometry: Geometry
  public let precision: Precision
  /// Fused into `forward` (oneDNN's eltwise post-op).
  public let activation: Activation
  /// A fixed thread count, or nil to follow `Parallel.threads`.
  public let threads: Int?
  public let threading: Threading

  /// The C objects for one thread count: per batch slice its range and object (one slice with
  /// `.openMP`).
  private struct Plan {
    var slices: [(samples: Range<Int>, object: OpaquePointer)]
  }
  private var plans: [Int: Plan] = [:]
  private let lock = NSLock()

  /// Validates the shape and creates oneDNN's forward primitive descriptors for the current
  /// thread count (so that a shape oneDNN cannot run fails here); each pass's primitives are made
  /// at its first call, or by `prepare`.
  public init(_ geometry: Geometry, precision: Precision = .fp32, activation: Activation = .none,
              threads: Int? = nil, threading: Threading = .batchSlices) throws(DNNLError) {
    try geometry.validate()
    if let threads, threads < 1 { throw DNNLError("DNNLConvolution: \(threads) threads") }
    self.geometry = geometry
    self.precision = precision
    self.activation = activation
    self.threads = threads
    self.threading = threading
    lock.lock(); defer { lock.unlock() }
    _ = try plan(threads: currentThreads)
  }

  deinit {
    for plan in plans.values { for slice in plan.slices { srs_dnnl_conv_destroy(slice.object) } }
  }

  /// The threads a call made now runs on: `threads` or `Parallel.threads`, one inside a
  /// `Parallel` worker.
  var currentThreads: Int { Parallel.isWorker ? 1 : threads ?? Parallel.threads }

  /// The key of `plans` for `threads` (`.fixedSlices` has one plan for every thread count).
  private func planKey(_ threads: Int) -> Int { threading == .fixedSlices ? 0 : threads }

  /// The objects for `threads`, made on first use. Caller holds `lock`.
  private func plan(threads: Int) throws(DNNLError) -> Plan {
    let key = planKey(threads)
    if let plan = plans[key] { return plan }
    let slices = switch threading {
    case .openMP: 1
    case .batchSlices: min(threads, geometry.batch)
    case .fixedSlices: min(Self.fixedSliceCount, geometry.batch)
    }
    var plan = Plan(slices: [])
    do {
      for i in 0..<slices {
        let samples = (geometry.batch * i / slices)..<(geometry.batch * (i + 1) / slices)
        let object = try makeObject(batch: samples.count, threads: threading == .openMP ? threads : 1)
        plan.slices.append((samples, object))
      }
    } catch {
      for slice in plan.slices { srs_dnnl_conv_destroy(slice.object) }
      throw error
    }
    plans[key] = plan
    return plan
  }

  /// A C object for `batch` samples on `threads` OpenMP threads.
  private func makeObject(batch: Int, threads: Int) throws(DNNLError) -> OpaquePointer {
    let (kind, slope): (Int32, Float) = switch activation {
    case .none: (0, 0)
    case .relu: (1, 0)
    case .leakyReLU(let s): (2, s)
    }
    let g = geometry
    var config = srs_dnnl_conv_config(
      batch: batch, in_channels: g.inChannels, out_channels: g.outChannels, height: g.height, width: g.width,
      kernel: g.kernel, stride: g.stride, padding: g.padding, bf16: precision == .bf16 ? 1 : 0,
      activation: kind, slope: slope, threads: Int32(threads))
    var object: OpaquePointer?
    try Self.call { error, size in srs_dnnl_conv_create(&config, &object, error, size) }
    guard let object else { throw DNNLError("oneDNN convolution: no object created") }
    return object
  }

  /// Runs `body` with the plan for the current thread count, under the lock (held for the whole
  /// call: one call at a time per object).
  private func withPlan<R>(_ body: (Plan) throws(DNNLError) -> R) throws(DNNLError) -> R {
    lock.lock(); defer { lock.unlock() }
    return try body(plan(threads: currentThreads))
  }

  /// Runs `body(slice index, samples, object)` for every slice of `plan`, the slices on
  /// `Parallel`'s workers; the first error (in slice order) is thrown.
  private static func forEachSlice(
    of plan: Plan, _ body: (Int, Range<Int>, OpaquePointer) throws(DNNLError) -> Void
  ) throws(DNNLError) {
    if plan.slices.count == 1 { return try body(0, plan.slices[0].samples, plan.slices[0].object) }
    var errors = [DNNLError?](repeating: nil, count: plan.slices.count)
    errors.withUnsafeMutableBufferPointer { errors in
      Parallel.forEach(plan.slices.count) { i in
        do throws(DNNLError) {
          try body(i, plan.slices[i].samples, plan.slices[i].object)
        } catch {
          errors[i] = error
        }
      }
    }
    if let error = errors.lazy.compactMap({ $0 }).first { throw error }
  }

  /// `forEachSlice` over the plan for the current thread count.
  private func forEachSlice(_ body: (Int, Range<Int>, OpaquePointer) throws(DNNLError) -> Void) throws(DNNLError) {
    try withPlan { plan throws(DNNLError) in try Self.forEachSlice(of: plan, body) }
  }

  /// Calls a C function that reports failure by a non-zero status and a message.
  private static func call(_ body: (UnsafeMutablePointer<CChar>, Int) -> Int32) throws(DNNLError) {
    var buffer = [CChar](repeating: 0, count: 512)
    let status = buffer.withUnsafeMutableBufferPointer { body($0.baseAddress!, $0.count) }
    guard status != 0 else { return }
    let message = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    throw DNNLError(message.isEmpty ? "oneDNN convolution: failed" : message)
  }

  /// Creates the primitives (and reorders) of `pass` for the current thread count now.
  public func prepare(_ pass: Pass) throws(DNNLError) {
    try forEachSlice { _, _, object throws(DNNLError) in
      try Self.call { error, size in srs_dnnl_conv_prepare(object, pass.rawValue, error, size) }
    }
  }

  /// oneDNN's name of the kernel `pass` runs at the current thread count (e.g.
  /// `brgconv:avx512_core_amx_bf16`), empty until the pass was prepared or called.
  public func implementation(_ pass: Pass) -> String {
    lock.lock(); defer { lock.unlock() }
    guard let object = plans[planKey(currentThreads)]?.slices.first?.object else { return "" }
    return String(cString: srs_dnnl_conv_implementation(object, pass.rawValue))
  }

  // MARK: Passes on raw buffers

  /// Floats per sample of the input and of the output.
  private var inputStride: Int { geometry.inChannels * geometry.height * geometry.width }
  private var outputStride: Int { geometry.outChannels * geometry.outHeight * geometry.outWidth }

  /// `output = activation(conv(input, weight) + bias)`: `input` `inputCount`, `weight`
  /// `weightCount`, `bias` `outChannels` floats (nil: none), `output` `outputCount` floats.
  public func forward(input: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                      output: UnsafeMutablePointer<Float>) throws(DNNLError) {
    let (inStride, outStride) = (inputStride, outputStride)
    try forEachSlice { _, samples, object throws(DNNLError) in
      try Self.call { error, size in
        srs_dnnl_conv_forward(object, input + samples.lowerBound * inStride, weight, bias,
                              output + samples.lowerBound * outStride, error, size)
      }
    }
  }

  /// `inputGradient` (overwritten, `inputCount` floats) = the transposed conv of
  /// `outputGradient` (`outputCount`) with `weight`.
  public func backwardData(outputGradient: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                           inputGradient: UnsafeMutablePointer<Float>) throws(DNNLError) {
    let (inStride, outStride) = (inputStride, outputStride)
    try forEachSlice { _, samples, object throws(DNNLError) in
      try Self.call { error, size in
        srs_dnnl_conv_backward_data(object, outputGradient + samples.lowerBound * outStride, weight,
                                    inputGradient + samples.lowerBound * inStride, error, size)
      }
    }
  }

  /// `weightGradient` (OIHW, `weightCount`) and `biasGradient` (`outChannels`, nil: not wanted)
  /// for `input` and `outputGradient` summed over the batch; both overwritten, not accumulated.
  /// With batch slices, slice 0 writes the outputs and the others' sums are added in slice order.
  public func backwardWeights(input: UnsafePointer<Float>, outputGradient: UnsafePointer<Float>,
                              weightGradient: UnsafeMutablePointer<Float>,
                              biasGradient: UnsafeMutablePointer<Float>?) throws(DNNLError) {
    let (inStride, outStride) = (inputStride, outputStride)
    let (wCount, bCount) = (geometry.weightCount, geometry.outChannels)
    try withPlan { plan throws(DNNLError) in
      // Slices past the first: weight then bias partial sums, added in slice order.
      let slices = plan.slices.count
      let partials = UnsafeMutablePointer<Float>.allocate(capacity: (slices - 1) * (wCount + bCount))
      defer { partials.deallocate() }
      try Self.forEachSlice(of: plan) { i, samples, object throws(DNNLError) in
        let part = partials + max(0, i - 1) * (wCount + bCount)
        let (gw, gb) = i == 0 ? (weightGradient, biasGradient) : (part, biasGradient == nil ? nil : part + wCount)
        try Self.call { error, size in
          srs_dnnl_conv_backward_weights(object, input + samples.lowerBound * inStride,
                                         outputGradient + samples.lowerBound * outStride, gw, gb, error, size)
        }
      }
      for i in 1..<slices {
        let part = partials + (i - 1) * (wCount + bCount)
        for j in 0..<wCount { weightGradient[j] += part[j] }
        if let biasGradient { for j in 0..<bCount { biasGradient[j] += part[wCount + j] } }
      }
    }
  }

  // MARK: Passes on arrays (sizes checked)

  /// `forward` on arrays; returns the NCHW output.
  public func forward(_ input: [Float], weight: [Float], bias: [Float]?) throws(DNNLError) -> [Float] {
    try check(input, geometry.inputCount, "input")
    try check(weight, geometry.weightCount, "weight")
    if let bias { try check(bias, geometry.outChannels, "bias") }
    var output = [Float](repeating: 0, count: geometry.outputCount)
    try input.withUnsafeBufferPointer { (x) throws(DNNLError) in
      try weight.withUnsafeBufferPointer { (w) throws(DNNLError) in
        try (bias ?? []).withUnsafeBufferPointer { (b) throws(DNNLError) in
          try output.withUnsafeMutableBufferPointer { (y) throws(DNNLError) in
            try forward(input: x.baseAddress!, weight: w.baseAddress!, bias: bias == nil ? nil : b.baseAddress,
                        output: y.baseAddress!)
          }
        }
      }
    }
    return output
  }

  /// `backwardData` on arrays; returns the NCHW input gradient.
  public func backwardData(_ outputGradient: [Float], weight: [Float]) throws(DNNLError) -> [Float] {
    try check(outputGradient, geometry.outputCount, "output gradient")
    try check(weight, geometry.weightCount, "weight")
    var inputGradient = [Float](repeating: 0, count: geometry.inputCount)
    try outputGradient.withUnsafeBufferPointer { (dy) throws(DNNLError) in
      try weight.withUnsafeBufferPointer { (w) throws(DNNLError) in
        try inputGradient.withUnsafeMutableBufferPointer { (dx) throws(DNNLError) in
          try backwardData(outputGradient: dy.baseAddress!, weight: w.baseAddress!, inputGradient: dx.baseAddress!)
        }
      }
    }
    return inputGradient
  }

  /// `backwardWeights` on arrays; returns the OIHW weight gradient and the bias gradient.
  public func backwardWeights(input: [Float], outputGradient: [Float]) throws(DNNLError)
    -> (weight: [Float], bias: [Float])
  {
    try check(input, geometry.inputCount, "input")
    try check(outputGradient, geometry.outputCount, "output gradient")
    var dw = [Float](repeating: 0, count: geometry.weightCount)
    var db = [Float](repeating: 0, count: geometry.outChannels)
    try input.withUnsafeBufferPointer { (x) throws(DNNLError) in
      try outputGradient.withUnsafeBufferPointer { (dy) throws(DNNLError) in
        try dw.withUnsafeMutableBufferPointer { (gw) throws(DNNLError) in
          try db.withUnsafeMutableBufferPointer { (gb) throws(DNNLError) in
            try backwardWeights(input: x.baseAddress!, outputGradient: dy.baseAddress!,
                                weightGradient: gw.baseAddress!, biasGradient: gb.baseAddress!)
          }
        }
      }
    }
    return (dw, db)
  }

  private func check(_ array: [Float], _ count: Int, _ name: String) throws(DNNLError) {
    guard array.count == count else {
      throw DNNLError("DNNLConvolution: \(name) has \(array.count) floats, \(geometry) needs \(count)")
    }
  }
}
