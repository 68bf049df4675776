/// A dense, row-major float32 tensor.
///
/// Images and feature maps are 3-D `[channels, height, width]` (CHW, batch 1);
/// convolution weights are 4-D `[out, in, kh, kw]` (PyTorch OIHW); biases and
/// per-channel parameters are 1-D. Values are stored contiguously in `data`.
public struct Tensor: Sendable, Equatable {
  /// The extent of each dimension, outermost first.
  public var shape: [Int]
  /// The elements in row-major (C) order; `data.count == shape.product`.
  public var data: [Float]

  /// Creates a tensor from a shape and matching row-major data.
  /// - Precondition: `data.count` equals the product of `shape`.
  public init(shape: [Int], data: [Float]) {
    precondition(shape.reduce(1, *) == data.count,
                 "Tensor: \(data.count) elements for shape \(shape)")
    self.shape = shape
    self.data = data
  }

  /// Creates a tensor of the given shape filled with `value`.
  public init(shape: [Int], repeating value: Float = 0) {
    self.shape = shape
    self.data = [Float](repeating: value, count: shape.reduce(1, *))
  }

  /// Creates a `[channels, height, width]` tensor filled with `value`.
  public init(channels: Int, height: Int, width: Int, repeating value: Float = 0) {
    self.init(shape: [channels, height, width], repeating: value)
  }

  /// The number of elements.
  public var count: Int { data.count }
  /// The number of dimensions.
  public var rank: Int { shape.count }

  /// Channels of a CHW tensor (dimension 0).
  public var channels: Int { shape[0] }
  /// Height of a CHW tensor (dimension 1).
  public var height: Int { shape[1] }
  /// Width of a CHW tensor (dimension 2).
  public var width: Int { shape[2] }

  /// A human-readable shape such as `[64, 3, 3, 3]`, used in error messages.
  public var shapeDescription: String { "[" + shape.map(String.init).joined(separator: ", ") + "]" }

  /// The same elements viewed with another shape of equal element count.
  public func reshaped(_ newShape: [Int]) -> Tensor {
    Tensor(shape: newShape, data: data)
  }

  /// Element at a CHW position (no bounds checks beyond the array's own).
  @inlinable public subscript(c: Int, y: Int, x: Int) -> Float {
    get { data[(c * shape[1] + y) * shape[2] + x] }
    set { data[(c * shape[1] + y) * shape[2] + x] = newValue }
  }
}
