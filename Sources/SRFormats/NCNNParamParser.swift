/// Parses the text of an ncnn `.param` file into layers (weights left empty).
///
/// Syntax (SR-SPEC §2.7): line 1 magic `7767517`; line 2 `layer_count blob_count`; then one
/// line per layer `Type Name n_in n_out in… out… k=v…`. Keys ≤ −23300 are arrays
/// `count,v1,…` for param id `−key − 23300`. A value containing `.`, `e` or `E` is a float
/// (ncnn's `vstr_is_float`), otherwise an int.
enum NCNNParamParser {
  static let magic = "7767517"

  static func parse(_ text: String) throws -> [NCNNLayer] {
    // Keep 1-based line numbers; blank lines are skipped (ncnn reads with fscanf).
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map {
      $0.hasSuffix("\r") ? $0.dropLast() : $0
    }
    let first = lines.first.map { $0.trimmingWhitespace() } ?? ""
    guard first == magic else { throw NCNNError.badMagic(found: String(first.prefix(32))) }
    guard lines.count > 1 else { throw NCNNError.malformedHeader(line: 2, text: "") }
    let header = lines[1].split(whereSeparator: \.isWhitespace)
    guard header.count == 2, let layerCount = Int(header[0]), let blobCount = Int(header[1]),
          layerCount >= 0, blobCount >= 0 else {
      throw NCNNError.malformedHeader(line: 2, text: String(lines[1].prefix(64)))
    }
    var layers: [NCNNLayer] = []
    var blobs = Set<String>()
    for index in 2..<lines.count {
      let tokens = lines[index].split(whereSeparator: \.isWhitespace).map(String.init)
      if tokens.isEmpty { continue }
      let layer = try parseLayer(tokens, line: index + 1)
      for input in layer.inputs where !blobs.contains(input) {
        throw NCNNError.undefinedBlob(name: input, layer: layer.name, line: layer.line)
      }
      blobs.formUnion(layer.outputs)
      layers.append(layer)
    }
    guard layers.count == layerCount else {
      throw NCNNError.layerCountMismatch(declared: layerCount, found: layers.count)
    }
    guard blobs.count <= blobCount else {
      throw NCNNError.blobCountMismatch(declared: blobCount, found: blobs.count)
    }
    return layers
  }

  static func parseLayer(_ tokens: [String], line: Int) throws -> NCNNLayer {
    guard tokens.count >= 4 else {
      throw NCNNError.malformedLayer(line: line, reason: "expected 'Type Name n_in n_out ...'")
    }
    let type = tokens[0], name = tokens[1]
    guard let nIn = Int(tokens[2]), let nOut = Int(tokens[3]), nIn >= 0, nOut >= 0,
          nIn <= tokens.count, nOut <= tokens.count else {
      throw NCNNError.malformedLayer(line: line, reason: "blob counts '\(tokens[2]) \(tokens[3])' are not valid")
    }
    guard NCNNModel.knownLayerTypes.contains(type) else {
      throw NCNNError.unknownLayer(type: type, name: name, line: line)
    }
    guard tokens.count >= 4 + nIn + nOut else {
      throw NCNNError.malformedLayer(
        line: line, reason: "layer '\(name)' declares \(nIn) inputs and \(nOut) outputs, "
          + "found \(tokens.count - 4) names and params")
    }
    var layer = NCNNLayer(type: type, name: name,
                          inputs: Array(tokens[4..<(4 + nIn)]),
                          outputs: Array(tokens[(4 + nIn)..<(4 + nIn + nOut)]), line: line)
    for token in tokens[(4 + nIn + nOut)...] {
      try parseParam(token, into: &layer)
    }
    return layer
  }

  static func parseParam(_ token: String, into layer: inout NCNNLayer) throws {
    let bad = NCNNError.badParam(line: layer.line, layer: layer.name, token: token)
    let parts = token.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
    guard parts.count == 2, let key = Int(parts[0]), !parts[1].isEmpty else { throw bad }
    // ncnn param ids are small (NCNN_MAX_PARAM_COUNT); bounding them also keeps `-key` safe.
    guard (-23300 - 999)...999 ~= key, key >= 0 || key <= -23300 else { throw bad }
    if key <= -23300 {
      let items = parts[1].split(separator: ",", omittingEmptySubsequences: false)
      guard let count = Int(items[0]), count >= 0, count == items.count - 1 else { throw bad }
      var values: [Float] = []
      values.reserveCapacity(count)
      for item in items.dropFirst() {
        guard let v = parseNumber(item) else { throw bad }
        values.append(v.float)
      }
      layer.arrayParams[-key - 23300] = values
      return
    }
    guard let v = parseNumber(parts[1]) else { throw bad }
    if v.isFloat { layer.floatParams[key] = v.float } else { layer.intParams[key] = v.int }
  }

  /// A scalar as ncnn reads it: float if the text has `.`, `e` or `E`, else int.
  static func parseNumber(_ text: Substring) -> (isFloat: Bool, int: Int, float: Float)? {
    if text.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }) {
      guard let f = Float(text) else { return nil }
      return (true, 0, f)
    }
    guard let i = Int(text), abs(i) <= Int(Int32.max) else { return nil }
    return (false, i, Float(i))
  }
}

extension Substring {
  /// The text without leading and trailing spaces, tabs and carriage returns.
  fileprivate func trimmingWhitespace() -> Substring {
    var s = self
    while let c = s.first, c.isWhitespace { s = s.dropFirst() }
    while let c = s.last, c.isWhitespace { s = s.dropLast() }
    return s
  }
}
