/// The BasicSR evaluation options shared by the full-reference metrics.
public struct MetricOptions: Sendable, Equatable {
  /// Pixels removed from every edge before measuring (BasicSR `crop_border`; use the SR scale).
  public var cropBorder: Int
  /// Whether PSNR/SSIM use the MATLAB BT.601 Y channel (BasicSR `test_y_channel`).
  public var testYChannel: Bool

  /// Creates options; the defaults measure the whole image in RGB.
  public init(cropBorder: Int = 0, testYChannel: Bool = false) {
    self.cropBorder = cropBorder
    self.testYChannel = testYChannel
  }
}
