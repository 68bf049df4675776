/// A named learnable tensor (or a buffer such as BN running statistics) with its gradient.
public final class Parameter: @unchecked Sendable {
  /// State-dict key (the inference module's key name).
  public let name: String
  /// Tensor shape.
  public let shape: [Int]
  /// Current values.
  public var value: [Float] { didSet { version &+= 1 } }
  /// Changes whenever `value` is assigned or mutated (prepared inference kernels compare it).
  public private(set) var version = 0
  /// Accumulated gradient (empty for buffers).
  public var grad: [Float]
  /// Buffers are saved but not optimised.
  public let isBuffer: Bool

  /// Creates a parameter filled with `fill`.
  public init(_ name: String, shape: [Int], fill: Float = 0, buffer: Bool = false) {
    self.name = name; self.shape = shape; isBuffer = buffer
    let count = shape.reduce(1, *)
    value = [Float](repeating: fill, count: count)
    grad = buffer ? [] : [Float](repeating: 0, count: count)
  }

  /// Sets the gradient to zero.
  public func zeroGrad() {
    if !grad.isEmpty { grad.withUnsafeMutableBufferPointer { $0.update(repeating: 0) } }
  }
}

