/// Which parameters of each ncnn layer type SRScope runs, and with which values.
///
/// Every parameter a layer carries must be listed here for its type with a value SRScope implements;
/// anything else is `NCNNError.unsupportedParam` naming the layer type, name, line and parameter
/// (ncnn's own ids and names, `operators.md`). The architecture mappers then check the values that
/// depend on the graph (kernel 3, padding 1, SUM coefficients, nearest ×s in the trunk).
enum NCNNSupport {
  /// One accepted parameter: its ncnn name, and a check that returns nil when SRScope runs the
  /// layer's value, else the reason (`= 4 is not supported; SRScope runs …`).
  struct Param {
    let name: String
    let check: @Sendable (NCNNLayer, Int) -> String?
  }

  static func any(_ name: String) -> Param { Param(name: name) { _, _ in nil } }

  /// The integer value must be one of `allowed` (described as `runs`).
  static func oneOf(_ name: String, _ allowed: Set<Int>, runs: String) -> Param {
    Param(name: name) { layer, key in
      let v = layer.int(key, default: 0)
      return allowed.contains(v) ? nil : "(\(name)) = \(v) is not supported; SRScope runs \(runs)"
    }
  }

  /// The integer value must equal that of `other` (its default when absent).
  static func equals(_ name: String, _ other: Int, _ otherName: String, default value: Int) -> Param {
    Param(name: name) { layer, key in
      let v = layer.int(key, default: 0), o = layer.int(other, default: value)
      return v == o ? nil : "(\(name)) = \(v) differs from param \(other) (\(otherName)) = \(o); "
        + "SRScope runs only equal values"
    }
  }

  static let positiveScale = Param(name: "scale") { layer, key in
    let v = layer.float(key, default: 1)
    return v.isFinite && v > 0 ? nil
      : "(\(key == 1 ? "height_scale" : "width_scale")) = \(v) is not a positive finite factor"
  }

  static let scalars: [String: [Int: Param]] = [
    "Input": [0: any("w"), 1: any("h"), 2: any("c")],
    "Split": [:],
    "Concat": [0: oneOf("axis", [0], runs: "0 (channels)")],
    "Eltwise": [0: any("op_type")],
    "BinaryOp": [0: any("op_type"), 1: oneOf("with_scalar", [0], runs: "0 (two inputs)"), 2: any("b")],
    "PixelShuffle": [0: any("upscale_factor"), 1: oneOf("mode", [0], runs: "0 (PyTorch channel order)")],
    "PReLU": [0: any("num_slope")],
    "Interp": [
      0: oneOf("resize_type", [1, 2, 3], runs: "1 (nearest), 2 (bilinear), 3 (bicubic)"),
      1: positiveScale, 2: positiveScale,
      3: oneOf("output_height", [0], runs: "only the scale factors (params 1, 2)"),
      4: oneOf("output_width", [0], runs: "only the scale factors (params 1, 2)"),
      5: oneOf("dynamic_target_size", [0], runs: "0 (one input)"),
      6: oneOf("align_corner", [0, 1], runs: "0 and 1"),
    ],
    "Convolution": [
      0: any("num_output"), 1: any("kernel_w"), 11: any("kernel_h"), 5: any("bias_term"),
      6: any("weight_data_size"), 4: any("pad_left"),
      2: oneOf("dilation_w", [1], runs: "1"), 12: oneOf("dilation_h", [1], runs: "1"),
      3: oneOf("stride_w", [1], runs: "1"), 13: oneOf("stride_h", [1], runs: "1"),
      15: equals("pad_right", 4, "pad_left", default: 0), 14: equals("pad_top", 4, "pad_left", default: 0),
      16: equals("pad_bottom", 4, "pad_left", default: 0),
      18: Param(name: "pad_value") { layer, key in
        let v = layer.float(key, default: 0)
        return v == 0 ? nil : "(pad_value) = \(v) is not supported; SRScope pads with 0"
      },
      8: oneOf("int8_scale_term", [0], runs: "0 (float weights)"),
      9: oneOf("activation_type", [0, 1, 2], runs: "0 (none), 1 (ReLU), 2 (LeakyReLU)"),
      19: oneOf("dynamic_weight", [0], runs: "0 (weights from the .bin)"),
    ],
  ]

  /// Array parameters (`-233xx=`) by type: Convolution activation_params, Eltwise coeffs.
  static let arrays: [String: Set<Int>] = ["Convolution": [10], "Eltwise": [1]]

  /// Throws for the first parameter of `layer` (in id order) that SRScope does not run.
  static func check(_ layer: NCNNLayer) throws {
    let table = scalars[layer.type] ?? [:]
    let keys = Set(layer.intParams.keys).union(layer.floatParams.keys).sorted()
    for key in keys {
      guard let param = table[key] else {
        throw unsupported(layer, key, "is not a parameter SRScope runs for \(layer.type)")
      }
      if let reason = param.check(layer, key) { throw unsupported(layer, key, reason) }
    }
    for key in layer.arrayParams.keys.sorted() where !(arrays[layer.type] ?? []).contains(key) {
      throw unsupported(layer, key, "(array) is not a parameter SRScope runs for \(layer.type)")
    }
  }

  static func unsupported(_ layer: NCNNLayer, _ key: Int, _ reason: String) -> NCNNError {
    .unsupportedParam(type: layer.type, layer: layer.name, line: layer.line, key: key, reason: reason)
  }
}
