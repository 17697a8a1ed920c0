package org.mobilekit.demo.core;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;

import org.junit.Test;

public class TensorsTest {
  @Test
  public void argmaxTakesTheFirstOfTies() {
    assertEquals(1, Tensors.argmax(new float[] {0f, 3f, 3f, -1f}));
  }

  @Test
  public void topKIsLargestFirst() {
    assertArrayEquals(new int[] {2, 0}, Tensors.topK(new float[] {0.5f, 0.1f, 0.9f}, 2));
  }

  @Test
  public void softmaxSumsToOne() {
    float[] p = Tensors.softmax(new float[] {1000f, 1000f, 0f});
    assertEquals(0.5f, p[0], 1e-6f);
    assertEquals(1.0, p[0] + p[1] + p[2], 1e-6);
  }

  @Test
  public void dynamicDimensionsBecomeOne() {
    assertArrayEquals(new long[] {1, 3, 8, 8}, Tensors.concrete(new long[] {-1, 3, 8, 8}));
  }
}
