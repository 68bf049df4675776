import SRFormats
import SRTensor

/// A super-resolution generator that maps an RGB `[3, h, w]` image in [0, 1] to `[3, h*s, w*s]`.
public protocol SuperResolutionNetwork: Sendable {
  /// The architecture family and its hyperparameters.
  var architecture: ArchitectureDescription { get }
  /// The upscaling factor.
  var scale: Int { get }
  /// Input height and width must be multiples of this (pixel-unshuffle models); the upscaler pads.
  var inputMultiple: Int { get }
  /// Number of learnable parameters (BatchNorm running statistics excluded).
  var parameterCount: Int { get }
  /// Rough peak bytes of activations per input pixel, used to choose a tile size.
  var bytesPerInputPixel: Int { get }
  /// Runs the network. `progress` receives values in 0...1 as the trunk advances.
  func forward(_ x: Tensor, progress: ((Double) -> Void)?) -> Tensor
  /// The weights under their canonical (BasicSR) key names.
  func stateDict() -> StateDict
}

extension SuperResolutionNetwork {
  /// Bytes the loaded weights keep resident: the float32 weights plus their Winograd transform
  /// (36 instead of 9 values per 3x3 kernel), an upper bound for nets with other kernels.
  public var residentWeightBytes: Int { parameterCount * 4 * 5 }
}

/// The name and hyperparameters of a detected architecture, for `inspect` and metadata.
public struct ArchitectureDescription: Sendable, Equatable, CustomStringConvertible {
  /// Architecture family, e.g. `RRDBNet`.
  public var name: String
  /// Ordered hyperparameters, e.g. `[("num_feat", "64"), ...]`.
  public var hyperparameters: [(String, String)]

  public init(name: String, hyperparameters: [(String, String)]) {
    self.name = name
    self.hyperparameters = hyperparameters
  }

  public var description: String {
    name + "(" + hyperparameters.map { "\($0.0)=\($0.1)" }.joined(separator: ", ") + ")"
  }

  public static func == (a: Self, b: Self) -> Bool {
    a.name == b.name && a.hyperparameters.map { "\($0.0)=\($0.1)" } == b.hyperparameters.map { "\($0.0)=\($0.1)" }
  }
}

extension StateDict {
  /// Adds a conv's weight and bias under `prefix`.
  mutating func put(_ prefix: String, _ conv: Conv2d) {
    self[prefix + ".weight"] = conv.weight
    if let b = conv.bias { self[prefix + ".bias"] = b }
  }

  /// Adds a BatchNorm's parameters and running statistics under `prefix`.
  mutating func put(_ prefix: String, _ bn: BatchNorm2d) {
    self[prefix + ".weight"] = bn.weight
    self[prefix + ".bias"] = bn.bias
    self[prefix + ".running_mean"] = bn.runningMean
    self[prefix + ".running_var"] = bn.runningVar
  }
}
