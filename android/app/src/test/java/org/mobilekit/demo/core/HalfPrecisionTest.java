package org.mobilekit.demo.core;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import org.junit.Test;

/**
 * Issue 15 #12: float16 model inputs reach ExecuTorch as {@code Tensor.fromBlob(short[], long[])} (the
 * AAR's HALF tensor) instead of being refused; the float32 -> binary16 rounding is IEEE's (nearest, ties to
 * even), checked on every one of the 65536 half values and on the rounding boundaries between them.
 */
public class HalfPrecisionTest {
  @Test
  public void everyHalfValueRoundTrips() {
    int nan = 0;
    for (int bits = 0; bits < 0x10000; bits++) {
      short h = (short) bits;
      float f = InputTensor.fromHalf(h);
      if (Float.isNaN(f)) {
        nan++;
        assertTrue(Integer.toHexString(bits), Float.isNaN(InputTensor.fromHalf(InputTensor.toHalf(f))));
        continue;
      }
      assertEquals(Integer.toHexString(bits), h, InputTensor.toHalf(f));
    }
    assertEquals(2 * 1023, nan);
  }

  @Test
  public void roundsToNearestTiesToEven() {
    assertEquals(0x3c00, InputTensor.toHalf(1.0f));
    assertEquals((short) 0xc000, InputTensor.toHalf(-2.0f));
    assertEquals(0x7bff, InputTensor.toHalf(65504f));
    assertEquals(0x7c00, InputTensor.toHalf(65520f)); // halfway to the next: overflows to infinity
    assertEquals(0x7bff, InputTensor.toHalf(65519f));
    assertEquals(0x0001, InputTensor.toHalf(0x1p-24f)); // smallest subnormal
    assertEquals(0x0000, InputTensor.toHalf(0x1p-25f)); // halfway to 0: ties to even
    assertEquals(0x0001, InputTensor.toHalf(0x1.8p-25f));
    // between every pair of neighbouring finite halves: just below the midpoint rounds down, above rounds up,
    // the midpoint itself goes to the even one
    for (int bits = 0; bits < 0x7bff; bits++) {
      float lo = InputTensor.fromHalf((short) bits);
      float hi = InputTensor.fromHalf((short) (bits + 1));
      float mid = (lo + hi) / 2; // exact in float32
      assertEquals(bits, InputTensor.toHalf(Math.nextDown(mid)));
      assertEquals(bits + 1, InputTensor.toHalf(Math.nextUp(mid)));
      assertEquals((bits & 1) == 0 ? bits : bits + 1, InputTensor.toHalf(mid));
    }
  }

  @Test
  public void float32SampleDataConvertsToAHalfInputAndBack() {
    InputTensor f = InputTensor.ofFloats("x", new long[] {1, 3}, new float[] {0.5f, -1.25f, 1000.1f});
    InputTensor h = f.as("float16");
    assertEquals("float16", h.dtype);
    assertArrayEquals(new short[] {0x3800, (short) 0xbd00, 0x63d0}, h.halfBits());
    assertArrayEquals(new float[] {0.5f, -1.25f, 1000f}, h.as("float32").floats(), 0f);
  }
}
