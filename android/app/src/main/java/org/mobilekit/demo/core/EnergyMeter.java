package org.mobilekit.demo.core;

import java.util.List;

/**
 * Samples the battery on its own thread (about 10 Hz on Android) between {@link #start} and
 * {@link #stop}. It only records raw readings ({@link BatterySample}); the device runner computes
 * energy from them (one algorithm, {@code mobilekit.device_runner.power}).
 */
public interface EnergyMeter {
  /** Starts sampling; readings before this call are dropped. */
  void start();

  /**
   * Stops sampling.
   *
   * @return the readings since {@link #start}, in time order
   */
  List<BatterySample> stop();
}
