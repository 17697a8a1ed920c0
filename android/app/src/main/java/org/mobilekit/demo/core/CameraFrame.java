package org.mobilekit.demo.core;

import java.nio.ByteBuffer;

/**
 * One camera frame as Camera2 delivers it ({@code ImageFormat.YUV_420_888} from an {@code ImageReader}):
 * a full-resolution Y plane and two half-resolution chroma planes, each with its own row stride and pixel
 * stride (1 for planar I420; 2 when U and V are interleaved, as NV21/NV12 phones give them), and the
 * rotation that makes the picture upright. Plain Java, so the conversion is tested on the JVM.
 *
 * <p>Frame to model input, in the manifest's order ({@link #toTensor}): YUV to RGB (BT.601 full range,
 * the JFIF equations camera YUV uses, each chroma sample shared by its 2x2 block, rounded as Pillow's JFIF
 * decoder rounds) -> rotate clockwise by
 * {@link #rotationDegrees} -> {@link Preprocess} (colour, resize, keep_aspect cover and centre crop,
 * centre crop, scale/mean/std), exactly as for a photo.
 */
public final class CameraFrame {
  public final int width;
  public final int height;
  private final ByteBuffer y;
  private final int yRowStride;
  private final int yPixelStride;
  private final ByteBuffer u;
  private final ByteBuffer v;
  private final int uvRowStride;
  private final int uvPixelStride;
  /** Clockwise rotation (0, 90, 180, 270) that turns the frame upright. */
  public final int rotationDegrees;

  /**
   * @param width frame width in pixels (the sensor's orientation)
   * @param height frame height
   * @param y the Y plane ({@code Image.getPlanes()[0].getBuffer()})
   * @param yRowStride bytes between rows of Y
   * @param yPixelStride bytes between pixels of Y (1 on every phone, still honoured)
   * @param u the U (Cb) plane
   * @param v the V (Cr) plane
   * @param uvRowStride bytes between chroma rows (U and V share it in YUV_420_888)
   * @param uvPixelStride bytes between chroma samples (1 or 2; U and V share it)
   * @param rotationDegrees clockwise rotation to upright: 0, 90, 180 or 270
   */
  public CameraFrame(int width, int height, ByteBuffer y, int yRowStride, int yPixelStride, ByteBuffer u,
      ByteBuffer v, int uvRowStride, int uvPixelStride, int rotationDegrees) {
    if (width < 1 || height < 1) {
      throw new IllegalArgumentException("frame size " + width + "x" + height);
    }
    if (rotationDegrees % 90 != 0 || rotationDegrees < 0 || rotationDegrees >= 360) {
      throw new IllegalArgumentException("rotation must be 0, 90, 180 or 270, not " + rotationDegrees);
    }
    int cw = (width + 1) / 2;
    int ch = (height + 1) / 2;
    need("Y", y, yRowStride, yPixelStride, width, height);
    need("U", u, uvRowStride, uvPixelStride, cw, ch);
    need("V", v, uvRowStride, uvPixelStride, cw, ch);
    this.width = width;
    this.height = height;
    this.y = y;
    this.yRowStride = yRowStride;
    this.yPixelStride = yPixelStride;
    this.u = u;
    this.v = v;
    this.uvRowStride = uvRowStride;
    this.uvPixelStride = uvPixelStride;
    this.rotationDegrees = rotationDegrees;
  }

  private static void need(String plane, ByteBuffer b, int rowStride, int pixelStride, int w, int h) {
    if (pixelStride < 1 || rowStride < (w - 1) * pixelStride + 1) {
      throw new IllegalArgumentException(plane + " plane: row stride " + rowStride + " and pixel stride "
          + pixelStride + " cannot hold " + w + " samples a row");
    }
    // The last row may end right after its last sample (Camera2 does not pad it).
    long needed = (long) (h - 1) * rowStride + (long) (w - 1) * pixelStride + 1;
    if (b.limit() < needed) {
      throw new IllegalArgumentException(plane + " plane: " + b.limit() + " bytes, " + w + "x" + h
          + " samples need " + needed);
    }
  }

  /**
   * The clockwise rotation that turns a sensor frame upright on screen, as Camera2's documentation
   * computes JPEG orientation: the sensor's mounting angle against the display's rotation (opposite
   * senses for a front camera, whose picture is mirrored).
   *
   * @param sensorOrientation {@code CameraCharacteristics.SENSOR_ORIENTATION} (0, 90, 180, 270)
   * @param displayRotationDegrees the display's rotation ({@code Surface.ROTATION_*} as degrees)
   * @param frontFacing {@code LENS_FACING_FRONT}
   * @return 0, 90, 180 or 270
   */
  public static int rotationDegrees(int sensorOrientation, int displayRotationDegrees, boolean frontFacing) {
    int r = frontFacing ? sensorOrientation + displayRotationDegrees : sensorOrientation - displayRotationDegrees;
    return ((r % 360) + 360) % 360;
  }

  /** Width after rotation. */
  public int uprightWidth() {
    return rotationDegrees % 180 == 0 ? width : height;
  }

  /** Height after rotation. */
  public int uprightHeight() {
    return rotationDegrees % 180 == 0 ? height : width;
  }

  /**
   * The frame as {@code 0xAARRGGBB} pixels in the sensor's orientation (not rotated).
   *
   * @return width x height pixels, row-major, opaque
   */
  public int[] toArgb() {
    int[] out = new int[width * height];
    for (int row = 0; row < height; row++) {
      int yBase = row * yRowStride;
      int cBase = (row >> 1) * uvRowStride;
      for (int col = 0; col < width; col++) {
        int yy = y.get(yBase + col * yPixelStride) & 0xff;
        int ci = cBase + (col >> 1) * uvPixelStride;
        int cb = (u.get(ci) & 0xff) - 128;
        int cr = (v.get(ci) & 0xff) - 128;
        out[row * width + col] = rgb(yy, cb, cr);
      }
    }
    return out;
  }

  // The JFIF equations (BT.601 full range) as 6-bit fixed-point products per chroma value, each
  // (int) (coefficient * 64 * (c - 128) + 0.5) and shifted down after adding: the rounding of Pillow's
  // JPEG/JFIF YCbCr decoder, so a frame decodes bit for bit as Python's reference decodes it.
  private static final int[] R_CR = table(1.40200);
  private static final int[] G_CB = table(-0.34414);
  private static final int[] G_CR = table(-0.71414);
  private static final int[] B_CB = table(1.77200);

  private static int[] table(double coefficient) {
    int[] t = new int[256];
    for (int i = 0; i < 256; i++) {
      t[i] = (int) (coefficient * 64 * (i - 128) + 0.5);
    }
    return t;
  }

  /**
   * One pixel from Y, Cb - 128 and Cr - 128: R = Y + 1.402 Cr, G = Y - 0.34414 Cb - 0.71414 Cr,
   * B = Y + 1.772 Cb in 6-bit fixed point, clamped to 0..255.
   */
  static int rgb(int y, int cb, int cr) {
    int r = y + (R_CR[cr + 128] >> 6);
    int g = y + ((G_CB[cb + 128] + G_CR[cr + 128]) >> 6);
    int b = y + (B_CB[cb + 128] >> 6);
    return 0xff000000 | (clamp(r) << 16) | (clamp(g) << 8) | clamp(b);
  }

  private static int clamp(int v) {
    return v < 0 ? 0 : (v > 255 ? 255 : v);
  }

  /**
   * The frame upright: {@link #toArgb} turned clockwise by {@link #rotationDegrees}.
   *
   * @return {@link #uprightWidth} x {@link #uprightHeight} pixels, row-major
   */
  public int[] toUprightArgb() {
    return rotate(toArgb(), width, height, rotationDegrees);
  }

  /**
   * Turns pixels clockwise by a multiple of 90 degrees.
   *
   * @param argb row-major pixels
   * @param w their width
   * @param h their height
   * @param degrees 0, 90, 180 or 270, clockwise
   * @return the turned pixels (w x h for 0 and 180, h x w for 90 and 270); the same array for 0
   */
  public static int[] rotate(int[] argb, int w, int h, int degrees) {
    if (degrees == 0) {
      return argb;
    }
    int[] out = new int[argb.length];
    switch (degrees) {
      case 90: // out is h wide, w high: out(x', y') = in(x = y', y = h - 1 - x')
        for (int yy = 0; yy < h; yy++) {
          for (int xx = 0; xx < w; xx++) {
            out[xx * h + (h - 1 - yy)] = argb[yy * w + xx];
          }
        }
        return out;
      case 180:
        for (int i = 0; i < argb.length; i++) {
          out[argb.length - 1 - i] = argb[i];
        }
        return out;
      case 270:
        for (int yy = 0; yy < h; yy++) {
          for (int xx = 0; xx < w; xx++) {
            out[(w - 1 - xx) * h + yy] = argb[yy * w + xx];
          }
        }
        return out;
      default:
        throw new IllegalArgumentException("rotation must be 0, 90, 180 or 270, not " + degrees);
    }
  }

  /**
   * The model input for this frame: upright RGB through the input's {@link Preprocess}, in its layout.
   *
   * @param preprocess the manifest input's preprocessing
   * @param layout the manifest input's layout (NCHW or NHWC)
   * @return the float32 input
   */
  public float[] toTensor(Preprocess preprocess, String layout) {
    return preprocess.toLayout(preprocess.apply(toUprightArgb(), uprightWidth(), uprightHeight()), layout);
  }
}
