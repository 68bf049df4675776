import SRTensor

/// Recognition of Real-ESRGAN ncnn exports and mapping of their convs to BasicSR keys.
///
/// The `.bin` carries no names, so keys come from the position of each Convolution/PReLU in
/// the graph (SR-SPEC §2.7). Because a wrong guess would silently load weights into the wrong
/// modules, the surrounding structure (layer counts, shapes, fused activations, residual
/// coefficients) is checked before any key is assigned.
extension NCNNModel {
  /// Recognises an RRDBNet or SRVGGNetCompact graph and returns its weights under BasicSR keys.
  ///
  /// Every layer's parameters are checked first (`NCNNSupport`): a parameter SRScope does not run is
  /// an error, never ignored. A last `Interp` that reads the network's output and writes the graph's
  /// (as the realesr-animevideov3 `-x2` / `-x3` exports end: bicubic ×0.5 / ×0.75 after an x4 net)
  /// becomes the `post_resize` metadata (`InterpResize.metadataKey`, e.g. `bicubic 0.5`), which
  /// SRModels runs after the network.
  ///
  /// Metadata: `ncnn.architecture` (`RRDBNet` | `SRVGGNetCompact`), `ncnn.scale` (the network's
  /// own factor, before any post-resize), `post_resize` when present; SRVGG adds `ncnn.num_conv`
  /// and `ncnn.act_type`; RRDBNet adds `ncnn.num_block`.
  /// - Throws: `NCNNError.unsupportedParam` naming the layer and parameter SRScope does not run;
  ///   `NCNNError.unrecognizedGraph` naming the first structural check that failed.
  public static func toStateDict(_ graph: NCNNGraph) throws -> StateDict {
    for layer in graph.layers { try NCNNSupport.check(layer) }
    var layers = graph.layers
    let tail = try postResize(layers)
    if tail != nil { layers.removeLast() }
    let counts = Dictionary(layers.map { ($0.type, 1) }, uniquingKeysWith: +)
    var result: NCNNKeyedWeights
    if counts["Eltwise"] != nil || counts["Concat"] != nil {
      result = try NCNNRRDBNetMapper.map(layers, counts: counts)
    } else if counts["PixelShuffle"] != nil {
      result = try NCNNSRVGGMapper.map(layers, counts: counts)
    } else {
      throw unrecognized("no Eltwise/Concat (RRDBNet) and no PixelShuffle (SRVGGNetCompact)")
    }
    if let (layer, resize) = tail {
      try checkOverallScale(layer, resize, networkScale: Int(result.metadata["ncnn.scale"] ?? "") ?? 0)
      result.metadata[InterpResize.metadataKey] = resize.metadataValue
    }
    return StateDict(tensors: result.tensors, keys: result.keys, metadata: result.metadata)
  }

  /// The graph's last layer as a post-resize: an `Interp` whose only input is written by the layer
  /// before it and read by no other layer. Its factor must be the same for H and W.
  static func postResize(_ layers: [NCNNLayer]) throws -> (NCNNLayer, InterpResize)? {
    guard layers.count >= 2, let last = layers.last, last.type == "Interp", last.inputs.count == 1,
          layers[layers.count - 2].outputs.contains(last.inputs[0]),
          !layers.dropLast().contains(where: { $0.inputs.contains(last.inputs[0]) }) else { return nil }
    let h = last.float(1, default: 1), w = last.float(2, default: 1)
    guard h == w else {
      throw NCNNSupport.unsupported(last, 2, "(width_scale) = \(w) differs from param 1 (height_scale) = \(h); "
        + "SRScope runs only equal factors")
    }
    guard let mode = InterpResize.Mode(rawValue: last.int(0, default: 0)) else {
      throw NCNNSupport.unsupported(last, 0, "(resize_type) = \(last.int(0, default: 0)) is not supported")
    }
    return (last, InterpResize(mode: mode, factor: h, alignCorner: last.int(6, default: 0) == 1))
  }

  /// The network's scale times the post-resize factor must be a whole number: SRScope's scale is an
  /// integer and `Int(n·s·f)` must be `n` times it for every input size `n`.
  static func checkOverallScale(_ layer: NCNNLayer, _ resize: InterpResize, networkScale: Int) throws {
    let overall = Double(networkScale) * Double(resize.factor)  // exact: float × small int
    guard overall >= 1, overall == overall.rounded() else {
      let shown = overall == overall.rounded() ? "\(Int(overall))" : "\(overall)"
      throw NCNNSupport.unsupported(layer, 1, "(height_scale) = \(resize.factor) turns the network's "
        + "x\(networkScale) into x\(shown); SRScope runs only whole overall scales")
    }
  }

  static func unrecognized(_ reason: String) -> NCNNError { .unrecognizedGraph(reason) }
}

/// BasicSR-keyed tensors in state-dict order, built while mapping a graph.
struct NCNNKeyedWeights {
  var keys: [String] = []
  var tensors: [String: Tensor] = [:]
  var metadata: [String: String] = [:]

  /// Adds `<prefix>.weight` and `<prefix>.bias` of a Convolution layer.
  mutating func addConv(_ prefix: String, _ layer: NCNNLayer) {
    add("\(prefix).weight", layer.weights[0])
    add("\(prefix).bias", layer.weights[1])
  }

  mutating func add(_ key: String, _ tensor: Tensor) {
    keys.append(key)
    tensors[key] = tensor
  }
}

/// Shared structural checks on individual layers.
enum NCNNChecks {
  /// Checks a 3×3 / stride 1 / pad 1 conv with bias of shape `[out, in, 3, 3]`.
  static func conv(_ layer: NCNNLayer, role: String, out: Int, in inputs: Int) throws {
    let shape = layer.weights.first?.shape ?? []
    guard layer.weights.count == 2 else {
      throw NCNNModel.unrecognized("\(role) ('\(layer.name)', line \(layer.line)) has no bias")
    }
    guard shape == [out, inputs, 3, 3] else {
      throw NCNNModel.unrecognized("\(role) ('\(layer.name)', line \(layer.line)) weight has shape "
        + "\(layer.weights[0].shapeDescription); expected [\(out), \(inputs), 3, 3]")
    }
    let geometry = [layer.int(2, default: 1), layer.int(3, default: 1), layer.int(4, default: 0)]
    guard geometry == [1, 1, 1] else {
      throw NCNNModel.unrecognized("\(role) ('\(layer.name)', line \(layer.line)) has dilation/stride/pad "
        + "\(geometry); expected [1, 1, 1]")
    }
  }

  /// The fused activation of a conv: `nil` for none, else (type, params).
  static func activation(_ layer: NCNNLayer) -> (type: Int, params: [Float])? {
    let type = layer.int(9, default: 0)
    return type == 0 ? nil : (type, layer.arrayParams[10] ?? [])
  }

  /// Checks the fused activation is LeakyReLU(`slope`) when `leaky`, else absent.
  static func leaky(_ layer: NCNNLayer, role: String, expected leaky: Bool, slope: Float) throws {
    let act = activation(layer)
    let ok = leaky ? (act?.type == 2 && act.map { close($0.params, [slope]) } == true) : act == nil
    guard ok else {
      let found = act.map { "activation \($0.type) \($0.params)" } ?? "no activation"
      let want = leaky ? "LeakyReLU(\(slope))" : "no activation"
      throw NCNNModel.unrecognized("\(role) ('\(layer.name)', line \(layer.line)) has \(found); expected \(want)")
    }
  }

  /// Checks the count of layers of `type` in a graph.
  static func count(_ counts: [String: Int], _ type: String, _ expected: Int, _ arch: String) throws {
    let found = counts[type] ?? 0
    guard found == expected else {
      throw NCNNModel.unrecognized("\(arch): expected \(expected) \(type) layers, found \(found)")
    }
  }

  /// Elementwise equality within 1e-6 (params are printed with 7 significant digits).
  static func close(_ a: [Float], _ b: [Float]) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= 1e-6 }
  }
}
