package org.mobilekit.demo.core;

/**
 * The manifest's image preprocessing, on ARGB pixels ({@code Bitmap.getPixels} on Android), giving
 * exactly what the Python reference {@code ImagePreprocess.apply} (export/spec.py, Pillow) gives.
 *
 * <p>Order: convert to the spec's color (Pillow's integer luma for L) -> invert (255 - v) -> resize
 * to [height, width] with Pillow's resampling (bilinear, bicubic: separable, antialiased when
 * shrinking, 8-bit fixed point with rounding after each pass; nearest: Pillow's affine sampling) ->
 * (keep_aspect: cover the target keeping the aspect ratio, centre-crop to it) -> centre crop -> {@code x * scale} -> {@code (x - mean[c]) / std[c]} in float32. Alpha is ignored, as
 * Pillow's RGBA -> RGB conversion drops it. The result is CHW; {@link #toLayout} gives NHWC.
 */
public final class Preprocess {
  private static final int PRECISION_BITS = 32 - 8 - 2;

  private final Manifest.ImageSpec spec;

  /**
   * @param spec the input's {@code preprocess} from the manifest
   */
  public Preprocess(Manifest.ImageSpec spec) {
    this.spec = spec;
  }

  /**
   * Turns a picture into the model input.
   *
   * @param argb pixels, row-major, {@code 0xAARRGGBB} (alpha ignored)
   * @param width picture width
   * @param height picture height
   * @return float32 values in CHW order, C = 1 for L and 3 for RGB/BGR (in that channel order)
   */
  public float[] apply(int[] argb, int width, int height) {
    if (argb.length != width * height) {
      throw new IllegalArgumentException("pixels: " + argb.length + " values for " + width + "x" + height);
    }
    int channels = spec.channels();
    int[][] planes = new int[channels][width * height];
    for (int i = 0; i < argb.length; i++) {
      int p = argb[i];
      int r = (p >> 16) & 0xff;
      int g = (p >> 8) & 0xff;
      int b = p & 0xff;
      if (channels == 1) {
        // Pillow's ITU-R 601-2 luma in 16-bit fixed point (Convert.c, L24).
        planes[0][i] = (r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16;
      } else {
        planes[0][i] = r;
        planes[1][i] = g;
        planes[2][i] = b;
      }
    }
    if (spec.invert) {
      for (int[] plane : planes) {
        for (int i = 0; i < plane.length; i++) {
          plane[i] = 255 - plane[i];
        }
      }
    }
    int outH = spec.resize[0];
    int outW = spec.resize[1];
    // keep_aspect: resize so the picture covers [outH, outW] (scale = max(outH/H, outW/W), each side
    // rounded half to even and never below the target), then centre-crop to [outH, outW].
    int[] covered = spec.keepAspect ? coverSize(width, height, outW, outH) : new int[] {outW, outH};
    int rw = covered[0];
    int rh = covered[1];
    for (int c = 0; c < channels; c++) {
      planes[c] = resize(planes[c], width, height, rw, rh, spec.interpolation);
    }
    int[] hw = spec.outputHw();
    int top = Math.floorDiv(rh - outH, 2);
    int left = Math.floorDiv(rw - outW, 2);
    if (spec.crop != null) {
      if (spec.crop[0] > outH || spec.crop[1] > outW) {
        throw new IllegalArgumentException("preprocess.crop " + spec.crop[0] + "x" + spec.crop[1]
            + " is larger than the resize " + outH + "x" + outW);
      }
      top += Math.floorDiv(outH - spec.crop[0], 2);
      left += Math.floorDiv(outW - spec.crop[1], 2);
    }
    int h = hw[0];
    int w = hw[1];
    float scale = (float) spec.scale;
    float[] out = new float[channels * h * w];
    for (int c = 0; c < channels; c++) {
      int src = spec.color.equals("BGR") ? channels - 1 - c : c;
      float mean = (float) (spec.mean.length == 1 ? spec.mean[0] : spec.mean[c]);
      float std = (float) (spec.std.length == 1 ? spec.std[0] : spec.std[c]);
      int[] plane = planes[src];
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          float v = (float) plane[(y + top) * rw + (x + left)] * scale;
          out[(c * h + y) * w + x] = (v - mean) / std;
        }
      }
    }
    return out;
  }

  /**
   * The size a keep_aspect resize produces: the picture scaled by {@code max(outH/H, outW/W)}, each
   * side rounded to the nearest integer, halves to even (Python's {@code round}, as export/spec.py),
   * and at least the target.
   *
   * @param width picture width
   * @param height picture height
   * @param outW target width
   * @param outH target height
   * @return {width, height} after resizing, covering {outW, outH}
   */
  public static int[] coverSize(int width, int height, int outW, int outH) {
    double s = Math.max((double) outH / height, (double) outW / width);
    int w = Math.max(outW, (int) Math.rint(width * s));
    int h = Math.max(outH, (int) Math.rint(height * s));
    return new int[] {w, h};
  }

  /** The longest side a photo is decoded at ({@link #sampleSize}): 4 megapixels of ARGB at most. */
  public static final int MAX_DECODE_SIDE = 2048;

  /**
   * The {@code BitmapFactory.Options.inSampleSize} for decoding a photo that will be preprocessed: the
   * largest power of two that keeps the shorter side at least {@code minSide}, raised until the longer
   * side fits {@code maxSide} (so a huge photo never reaches the UI, whatever the model).
   *
   * @param width the photo's width (from {@code inJustDecodeBounds})
   * @param height its height
   * @param minSide the shorter side to keep, e.g. twice the model's input side
   * @param maxSide the longest side allowed after decoding
   * @return 1, 2, 4, ...; 1 when the size is unknown (&lt;= 0)
   */
  public static int sampleSize(int width, int height, int minSide, int maxSide) {
    if (width <= 0 || height <= 0) {
      return 1;
    }
    int shorter = Math.min(width, height);
    int longer = Math.max(width, height);
    int s = 1;
    while (shorter / (s * 2) >= minSide) {
      s *= 2;
    }
    while ((longer + s - 1) / s > maxSide) {
      s *= 2;
    }
    return s;
  }

  /**
   * Reorders a CHW result for the input's layout.
   *
   * @param chw the output of {@link #apply}
   * @param layout the manifest input's layout; NHWC gives HWC, anything else is returned as is
   * @return the values in the layout's order
   */
  public float[] toLayout(float[] chw, String layout) {
    if (!"NHWC".equals(layout)) {
      return chw;
    }
    int c = spec.channels();
    int h = spec.outputHw()[0];
    int w = spec.outputHw()[1];
    float[] out = new float[chw.length];
    for (int ch = 0; ch < c; ch++) {
      for (int i = 0; i < h * w; i++) {
        out[i * c + ch] = chw[ch * h * w + i];
      }
    }
    return out;
  }

  /**
   * Resizes one 8-bit plane as Pillow's {@code Image.resize} does for an L image.
   *
   * @param in values 0..255, row-major
   * @param inW input width
   * @param inH input height
   * @param outW output width
   * @param outH output height
   * @param interpolation bilinear, bicubic or nearest
   * @return the resized plane, values 0..255
   */
  public static int[] resize(int[] in, int inW, int inH, int outW, int outH, String interpolation) {
    if (inW == outW && inH == outH) {
      return in.clone();
    }
    if ("nearest".equals(interpolation)) {
      return nearest(in, inW, inH, outW, outH);
    }
    double support;
    boolean bicubic;
    if ("bilinear".equals(interpolation)) {
      support = 1.0;
      bicubic = false;
    } else if ("bicubic".equals(interpolation)) {
      support = 2.0;
      bicubic = true;
    } else {
      throw new IllegalArgumentException("preprocess.interpolation must be bilinear, bicubic or nearest, not "
          + interpolation);
    }
    int[] plane = in;
    int w = inW;
    if (outW != inW) { // horizontal pass first, as Pillow does
      Coeffs k = coeffs(inW, outW, support, bicubic);
      int[] tmp = new int[outW * inH];
      for (int y = 0; y < inH; y++) {
        for (int x = 0; x < outW; x++) {
          int ss = 1 << (PRECISION_BITS - 1);
          int min = k.bounds[2 * x];
          int n = k.bounds[2 * x + 1];
          for (int i = 0; i < n; i++) {
            ss += plane[y * w + min + i] * k.k[x * k.size + i];
          }
          tmp[y * outW + x] = clip8(ss);
        }
      }
      plane = tmp;
      w = outW;
    }
    if (outH != inH) {
      Coeffs k = coeffs(inH, outH, support, bicubic);
      int[] tmp = new int[w * outH];
      for (int y = 0; y < outH; y++) {
        int min = k.bounds[2 * y];
        int n = k.bounds[2 * y + 1];
        for (int x = 0; x < w; x++) {
          int ss = 1 << (PRECISION_BITS - 1);
          for (int i = 0; i < n; i++) {
            ss += plane[(min + i) * w + x] * k.k[y * k.size + i];
          }
          tmp[y * w + x] = clip8(ss);
        }
      }
      plane = tmp;
    }
    return plane;
  }

  private static int clip8(int v) {
    int s = v >> PRECISION_BITS;
    return s < 0 ? 0 : (s > 255 ? 255 : s);
  }

  private static final class Coeffs {
    final int size;
    final int[] bounds;
    final int[] k;

    Coeffs(int size, int[] bounds, int[] k) {
      this.size = size;
      this.bounds = bounds;
      this.k = k;
    }
  }

  private static double filter(double x, boolean bicubic) {
    if (x < 0) {
      x = -x;
    }
    if (!bicubic) {
      return x < 1.0 ? 1.0 - x : 0.0;
    }
    double a = -0.5;
    if (x < 1.0) {
      return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
    }
    if (x < 2.0) {
      return (((x - 5) * x + 8) * x - 4) * a;
    }
    return 0.0;
  }

  /** Pillow's precompute_coeffs + normalize_coeffs_8bpc for the whole input range. */
  private static Coeffs coeffs(int inSize, int outSize, double filterSupport, boolean bicubic) {
    double scale = (double) inSize / outSize;
    double filterscale = Math.max(scale, 1.0);
    double support = filterSupport * filterscale;
    int ksize = (int) Math.ceil(support) * 2 + 1;
    int[] bounds = new int[outSize * 2];
    int[] kk = new int[outSize * ksize];
    double[] w = new double[ksize];
    for (int xx = 0; xx < outSize; xx++) {
      double center = (xx + 0.5) * scale;
      double ss = 1.0 / filterscale;
      int xmin = (int) (center - support + 0.5);
      if (xmin < 0) {
        xmin = 0;
      }
      int xmax = (int) (center + support + 0.5);
      if (xmax > inSize) {
        xmax = inSize;
      }
      xmax -= xmin;
      double ww = 0.0;
      for (int x = 0; x < xmax; x++) {
        w[x] = filter((x + xmin - center + 0.5) * ss, bicubic);
        ww += w[x];
      }
      for (int x = 0; x < xmax; x++) {
        double v = ww != 0.0 ? w[x] / ww : w[x];
        kk[xx * ksize + x] = v < 0 ? (int) (-0.5 + v * (1 << PRECISION_BITS)) : (int) (0.5 + v * (1 << PRECISION_BITS));
      }
      bounds[2 * xx] = xmin;
      bounds[2 * xx + 1] = xmax;
    }
    return new Coeffs(ksize, bounds, kk);
  }

  /** Pillow's NEAREST resize: an affine scale sampled at pixel centres, accumulated as Pillow does. */
  private static int[] nearest(int[] in, int inW, int inH, int outW, int outH) {
    double ax = (double) inW / outW;
    double ay = (double) inH / outH;
    int[] xs = new int[outW];
    double xo = ax * 0.5;
    for (int x = 0; x < outW; x++) {
      xs[x] = xo < 0 ? -1 : (int) xo;
      xo += ax;
    }
    int[] out = new int[outW * outH];
    double yo = ay * 0.5;
    for (int y = 0; y < outH; y++) {
      int yi = yo < 0 ? -1 : (int) yo;
      yo += ay;
      for (int x = 0; x < outW; x++) {
        int xi = xs[x];
        out[y * outW + x] = (yi >= 0 && yi < inH && xi >= 0 && xi < inW) ? in[yi * inW + xi] : 0;
      }
    }
    return out;
  }
}
