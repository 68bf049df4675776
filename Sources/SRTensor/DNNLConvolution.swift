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
/// Threads: the passes run on oneDNN's OpenMP runtime (libgomp, a pool of its own beside
/// `Parallel`'s) with `threads` threads if given, else `Parallel.threads`, or one when called
/// from inside a `Parallel` worker (the OpenMP count is set on the calling thread before every
/// call, since OpenMP keeps it per thread). The thread count is fixed when a pass's primitive is made (oneDNN splits the work
/// then), so each count gets its own primitives. For a fixed thread count results are
/// bit-identical run to run; across thread counts backward-weights (whose reduction over the
/// batch and image is split by thread) differs by rounding.
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

  public let geometry: Geometry
  public let precision: Precision
  /// Fused into `forward` (oneDNN's eltwise post-op).
  public let activation: Activation
  /// A fixed OpenMP thread count, or nil to follow `Parallel.threads`.
  public let threads: Int?

  /// The C objects by OpenMP thread count.
  private var objects: [Int: OpaquePointer] = [:]
  private let lock = NSLock()

  /// Validates the shape and creates oneDNN's forward primitive descriptor for the current thread
  /// count (so that a shape oneDNN cannot run fails here); each pass's primitive is made at its
  /// first call, or by `prepare`.
  public init(_ geometry: Geometry, precision: Precision = .fp32, activation: Activation = .none,
              threads: Int? = nil) throws(DNNLError) {
    try geometry.validate()
    if let threads, threads < 1 { throw DNNLError("DNNLConvolution: \(threads) threads") }
    self.geometry = geometry
    self.precision = precision
    self.activation = activation
    self.threads = threads
    lock.lock(); defer { lock.unlock() }
    _ = try object(threads: currentThreads)
  }

  deinit {
    for object in objects.values { srs_dnnl_conv_destroy(object) }
  }

  /// The OpenMP threads a call made now runs on: `threads` or `Parallel.threads`, one inside a
  /// `Parallel` worker.
  var currentThreads: Int { Parallel.isWorker ? 1 : threads ?? Parallel.threads }

  /// The C object for `threads`, made on first use. Caller holds `lock`.
  private func object(threads: Int) throws(DNNLError) -> OpaquePointer {
    if let object = objects[threads] { return object }
    let (kind, slope): (Int32, Float) = switch activation {
    case .none: (0, 0)
    case .relu: (1, 0)
    case .leakyReLU(let s): (2, s)
    }
    let g = geometry
    var config = srs_dnnl_conv_config(
      batch: g.batch, in_channels: g.inChannels, out_channels: g.outChannels, height: g.height, width: g.width,
      kernel: g.kernel, stride: g.stride, padding: g.padding, bf16: precision == .bf16 ? 1 : 0,
      activation: kind, slope: slope, threads: Int32(threads))
    var object: OpaquePointer?
    try Self.call { error, size in srs_dnnl_conv_create(&config, &object, error, size) }
    guard let object else { throw DNNLError("oneDNN convolution: no object created") }
    objects[threads] = object
    return object
  }

  /// Runs `body` on the object for the current thread count, under the lock.
  private func withObject<R>(_ body: (OpaquePointer) throws(DNNLError) -> R) throws(DNNLError) -> R {
    lock.lock(); defer { lock.unlock() }
    return try body(object(threads: currentThreads))
  }

  /// Calls a C function that reports failure by a non-zero status and a message.
  private static func call(_ body: (UnsafeMutablePointer<CChar>, Int) -> Int32) throws(DNNLError) {
    var buffer = [CChar](repeating: 0, count: 512)
    let status = buffer.withUnsafeMutableBufferPointer { body($0.baseAddress!, $0.count) }
    guard status != 0 else { return }
    let message = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    throw DNNLError(message.isEmpty ? "oneDNN convolution: failed" : message)
  }

  /// Creates the primitive (and reorders) of `pass` for the current thread count now.
  public func prepare(_ pass: Pass) throws(DNNLError) {
    try withObject { object throws(DNNLError) in
      try Self.call { error, size in srs_dnnl_conv_prepare(object, pass.rawValue, error, size) }
    }
  }

  /// oneDNN's name of the kernel `pass` runs at the current thread count (e.g.
  /// `brgconv:avx512_core_amx_bf16`), empty until the pass was prepared or called.
  public func implementation(_ pass: Pass) -> String {
    lock.lock(); defer { lock.unlock() }
    guard let object = objects[currentThreads] else { return "" }
    return String(cString: srs_dnnl_conv_implementation(object, pass.rawValue))
  }

  // MARK: Passes on raw buffers

  /// `output = activation(conv(input, weight) + bias)`: `input` `inputCount`, `weight`
  /// `weightCount`, `bias` `outChannels` floats (nil: none), `output` `outputCount` floats.
  public func forward(input: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                      output: UnsafeMutablePointer<Float>) throws(DNNLError) {
    try withObject { object throws(DNNLError) in
      try Self.call { error, size in srs_dnnl_conv_forward(object, input, weight, bias, output, error, size) }
    }
  }

  /// `inputGradient` (overwritten, `inputCount` floats) = the transposed conv of
  /// `outputGradient` (`outputCount`) with `weight`.
  public func backwardData(outputGradient: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                           inputGradient: UnsafeMutablePointer<Float>) throws(DNNLError) {
    try withObject { object throws(DNNLError) in
      try Self.call { error, size in
        srs_dnnl_conv_backward_data(object, outputGradient, weight, inputGradient, error, size)
      }
    }
  }

  /// `weightGradient` (OIHW, `weightCount`) and `biasGradient` (`outChannels`, nil: not wanted)
  /// for `input` and `outputGradient` summed over the batch; both overwritten, not accumulated.
  public func backwardWeights(input: UnsafePointer<Float>, outputGradient: UnsafePointer<Float>,
                              weightGradient: UnsafeMutablePointer<Float>,
                              biasGradient: UnsafeMutablePointer<Float>?) throws(DNNLError) {
    try withObject { object throws(DNNLError) in
      try Self.call { error, size in
        srs_dnnl_conv_backward_weights(object, input, outputGradient, weightGradient, biasGradient, error, size)
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
