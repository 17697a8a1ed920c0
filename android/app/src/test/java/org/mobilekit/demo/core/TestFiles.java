package org.mobilekit.demo.core;

import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import javax.imageio.ImageIO;
import org.json.JSONObject;
import org.junit.Assume;

/** Where the pytest driver put the bundle and the Python reference data, and a PNG reader. */
final class TestFiles {
  private TestFiles() {}

  /** The directory a system property names; the test is skipped when it is not set. */
  static File dir(String property) {
    String p = System.getProperty(property, "");
    Assume.assumeTrue(property + " is not set (tests/apps/test_android.py sets it)", !p.isEmpty());
    File f = new File(p);
    Assume.assumeTrue(p + " does not exist", f.isDirectory());
    return f;
  }

  /** The size of a file, or the total of a folder's files (export/manifest.py size_bytes). */
  static long sizeBytes(File f) {
    if (!f.isDirectory()) {
      return f.length();
    }
    long total = 0;
    File[] children = f.listFiles();
    for (File c : children == null ? new File[0] : children) {
      total += sizeBytes(c);
    }
    return total;
  }

  static File bundle() {
    return dir("mobilekit.bundle");
  }

  static File reference() {
    return dir("mobilekit.reference");
  }

  static JSONObject json(File f) throws IOException {
    return new JSONObject(new String(Files.readAllBytes(f.toPath()), StandardCharsets.UTF_8));
  }

  /** A decoded picture as Android's Bitmap.getPixels gives it: 0xAARRGGBB, row-major. */
  static final class Picture {
    final int[] argb;
    final int width;
    final int height;

    Picture(int[] argb, int width, int height) {
      this.argb = argb;
      this.width = width;
      this.height = height;
    }
  }

  /**
   * Reads a PNG without colour management. A grey PNG is read from its raster (ImageIO's getRGB would
   * apply a gamma curve to it, which BitmapFactory does not: it gives r = g = b = the stored value).
   */
  static Picture png(File f) throws IOException {
    BufferedImage img = ImageIO.read(f);
    if (img == null) {
      throw new IOException("cannot decode " + f);
    }
    int w = img.getWidth();
    int h = img.getHeight();
    int[] argb = new int[w * h];
    Raster r = img.getRaster();
    boolean gray = img.getColorModel().getNumColorComponents() == 1
        && img.getColorModel().getColorSpace().getType() == java.awt.color.ColorSpace.TYPE_GRAY;
    if (gray) {
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          int v = r.getSample(x, y, 0);
          argb[y * w + x] = 0xff000000 | (v << 16) | (v << 8) | v;
        }
      }
    } else {
      img.getRGB(0, 0, w, h, argb, 0, w);
    }
    return new Picture(argb, w, h);
  }
}
