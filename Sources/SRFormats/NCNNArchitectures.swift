import SRTensor

/// Maps a Real-ESRGAN RRDBNet export (realesrgan-x4plus, -anime) to BasicSR keys.
///
/// Conv order (SR-SPEC §2.7): conv_first, then body.b.rdb{r}.conv{c} for b, r = 1…3, c = 1…5,
/// then conv_body, conv_up1, conv_up2, conv_hr, conv_last.
enum NCNNRRDBNetMapper {
  static let arch = "RRDBNet"
  static let tail = ["conv_body", "conv_up1", "conv_up2", "conv_hr", "conv_last"]

  static func map(_ layers: [NCNNLayer], counts: [String: Int]) throws -> NCNNKeyedWeights {
    let convs = layers.filter { $0.type == "Convolution" }
    guard convs.count >= 21, (convs.count - 6) % 15 == 0 else {
      throw NCNNModel.unrecognized("\(arch): \(convs.count) Convolution layers is not 1 + 15·nb + 5")
    }
    let nb = (convs.count - 6) / 15
    try checkLayerCounts(layers, counts: counts, nb: nb)
    guard convs[0].weights.count == 2, convs[1].weights.count == 2 else {
      throw NCNNModel.unrecognized("\(arch): conv_first or the first RDB conv has no bias")
    }
    let nf = convs[0].weights[0].shape[0], inCh = convs[0].weights[0].shape[1]
    let gc = convs[1].weights[0].shape[0]
    var out = NCNNKeyedWeights()
    try NCNNChecks.conv(convs[0], role: "conv_first", out: nf, in: inCh)
    try NCNNChecks.leaky(convs[0], role: "conv_first", expected: false, slope: 0.2)
    out.addConv("conv_first", convs[0])
    for b in 0..<nb {
      for r in 1...3 {
        for c in 1...5 {
          let key = "body.\(b).rdb\(r).conv\(c)"
          let layer = convs[1 + 15 * b + 5 * (r - 1) + (c - 1)]
          try NCNNChecks.conv(layer, role: key, out: c < 5 ? gc : nf, in: nf + (c - 1) * gc)
          try NCNNChecks.leaky(layer, role: key, expected: c < 5, slope: 0.2)
          out.addConv(key, layer)
        }
      }
    }
    let outCh = convs[convs.count - 1].weights.first?.shape.first ?? 0
    for (i, key) in tail.enumerated() {
      let layer = convs[1 + 15 * nb + i]
      try NCNNChecks.conv(layer, role: key, out: key == "conv_last" ? outCh : nf, in: nf)
      try NCNNChecks.leaky(layer, role: key, expected: i >= 1 && i <= 3, slope: 0.2)
      out.addConv(key, layer)
    }
    out.metadata = ["ncnn.architecture": arch, "ncnn.scale": "4", "ncnn.num_block": "\(nb)"]
    return out
  }

  /// Eltwise SUM 0.2·x + y per RDB and RRDB, one trunk ADD, two nearest ×2 Interps.
  static func checkLayerCounts(_ layers: [NCNNLayer], counts: [String: Int], nb: Int) throws {
    try NCNNChecks.count(counts, "Eltwise", 4 * nb, arch)
    try NCNNChecks.count(counts, "BinaryOp", 1, arch)
    try NCNNChecks.count(counts, "Interp", 2, arch)
    try NCNNChecks.count(counts, "Concat", 4 * 3 * nb, arch)
    try NCNNChecks.count(counts, "PReLU", 0, arch)
    try NCNNChecks.count(counts, "PixelShuffle", 0, arch)
    for layer in layers {
      switch layer.type {
      case "Eltwise":
        guard layer.int(0, default: 1) == 1, NCNNChecks.close(layer.arrayParams[1] ?? [], [0.2, 1.0]) else {
          throw NCNNModel.unrecognized("\(arch): Eltwise '\(layer.name)' (line \(layer.line)) is not SUM "
            + "with coeffs [0.2, 1.0]")
        }
      case "BinaryOp":
        guard layer.int(0, default: 0) == 0 else {
          throw NCNNModel.unrecognized("\(arch): BinaryOp '\(layer.name)' (line \(layer.line)) is not ADD")
        }
      case "Interp":
        try NCNNSRVGGMapper.checkNearest(layer, scale: 2, arch: arch)
      default: break
      }
    }
  }
}

/// Maps a Real-ESRGAN SRVGGNetCompact export (realesr-animevideov3) to BasicSR keys.
///
/// The k-th Convolution is `body.{2k}`; the k-th PReLU is `body.{2k+1}.weight` (SR-SPEC §1.6).
/// ReLU / LeakyReLU(0.1) variants fuse the activation into the conv and have no PReLU layers.
enum NCNNSRVGGMapper {
  static let arch = "SRVGGNetCompact"

  static func map(_ layers: [NCNNLayer], counts: [String: Int]) throws -> NCNNKeyedWeights {
    let body = layers.filter { $0.type == "Convolution" || $0.type == "PReLU" }
    let convs = body.filter { $0.type == "Convolution" }
    let prelus = counts["PReLU"] ?? 0
    guard convs.count >= 2 else { throw NCNNModel.unrecognized("\(arch): fewer than 2 Convolution layers") }
    let numConv = convs.count - 2
    try NCNNChecks.count(counts, "PixelShuffle", 1, arch)
    try NCNNChecks.count(counts, "Interp", 1, arch)
    try NCNNChecks.count(counts, "BinaryOp", 1, arch)
    guard let shuffle = layers.first(where: { $0.type == "PixelShuffle" }),
          let interp = layers.first(where: { $0.type == "Interp" }),
          let add = layers.first(where: { $0.type == "BinaryOp" }) else {
      throw NCNNModel.unrecognized("\(arch): missing PixelShuffle/Interp/BinaryOp")
    }
    let scale = shuffle.int(0, default: 1)
    guard scale >= 1, shuffle.int(1, default: 0) == 0 else {
      throw NCNNModel.unrecognized("\(arch): PixelShuffle '\(shuffle.name)' has factor \(scale), mode \(shuffle.int(1, default: 0))")
    }
    try checkNearest(interp, scale: Float(scale), arch: arch)
    guard add.int(0, default: 0) == 0 else {
      throw NCNNModel.unrecognized("\(arch): BinaryOp '\(add.name)' is not ADD")
    }
    let actType = try activationType(body: body, convs: convs, prelus: prelus)
    guard let first = convs[0].weights.first, first.rank == 4 else {
      throw NCNNModel.unrecognized("\(arch): first conv has no weight")
    }
    let nf = first.shape[0], inCh = first.shape[1]
    let lastOut = convs[convs.count - 1].weights.first?.shape.first ?? 0
    guard lastOut % (scale * scale) == 0 else {
      throw NCNNModel.unrecognized("\(arch): last conv has \(lastOut) outputs, not a multiple of \(scale)²")
    }
    var out = NCNNKeyedWeights()
    for (k, layer) in convs.enumerated() {
      let role = "body.\(2 * k)"
      let o = k == convs.count - 1 ? lastOut : nf
      try NCNNChecks.conv(layer, role: role, out: o, in: k == 0 ? inCh : nf)
      out.addConv(role, layer)
      if actType == "prelu", k < convs.count - 1 {
        let slopes = body[2 * k + 1].weights[0]
        guard slopes.shape == [nf] else {
          throw NCNNModel.unrecognized("\(arch): PReLU '\(body[2 * k + 1].name)' has \(slopes.count) slopes; expected \(nf)")
        }
        out.add("body.\(2 * k + 1).weight", slopes)
      }
    }
    out.metadata = ["ncnn.architecture": arch, "ncnn.scale": "\(scale)",
                    "ncnn.num_conv": "\(numConv)", "ncnn.act_type": actType]
    return out
  }

  /// `prelu` when convs and PReLUs alternate; `relu` / `leakyrelu` when fused into every conv but the last.
  static func activationType(body: [NCNNLayer], convs: [NCNNLayer], prelus: Int) throws -> String {
    if prelus > 0 {
      let alternating = body.count == 2 * convs.count - 1
        && body.enumerated().allSatisfy { ($0.offset % 2 == 0) == ($0.element.type == "Convolution") }
      guard alternating, convs.allSatisfy({ NCNNChecks.activation($0) == nil }) else {
        throw NCNNModel.unrecognized("\(arch): Convolution and PReLU layers do not alternate conv, prelu, …, conv")
      }
      return "prelu"
    }
    guard NCNNChecks.activation(convs[convs.count - 1]) == nil else {
      throw NCNNModel.unrecognized("\(arch): last conv '\(convs[convs.count - 1].name)' has a fused activation")
    }
    let acts = convs.dropLast().map { NCNNChecks.activation($0) }
    if acts.allSatisfy({ $0?.type == 1 && ($0?.params ?? []).allSatisfy { $0 == 0 } }) { return "relu" }
    if acts.allSatisfy({ $0?.type == 2 && NCNNChecks.close($0?.params ?? [], [0.1]) }) { return "leakyrelu" }
    throw NCNNModel.unrecognized("\(arch): convs have neither PReLU layers nor a uniform fused ReLU/LeakyReLU(0.1)")
  }

  /// Checks an Interp is nearest with equal H and W factor `scale`.
  static func checkNearest(_ layer: NCNNLayer, scale: Float, arch: String) throws {
    let kind = layer.int(0, default: 0)
    let h = layer.float(1, default: 1), w = layer.float(2, default: 1)
    guard kind == 1, h == scale, w == scale else {
      throw NCNNModel.unrecognized("\(arch): Interp '\(layer.name)' (line \(layer.line)) is type \(kind) "
        + "×(\(h), \(w)); expected nearest ×\(scale)")
    }
  }
}
