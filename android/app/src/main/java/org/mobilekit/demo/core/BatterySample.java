package org.mobilekit.demo.core;

/**
 * One BatteryManager reading. Units are in the names; a field is null when the phone does not
 * report it ({@code BATTERY_PROPERTY_CURRENT_NOW} returns Integer.MIN_VALUE or 0,
 * {@code ENERGY_COUNTER} Long.MIN_VALUE).
 */
public final class BatterySample {
  /** {@code System.nanoTime()} of the reading. */
  public final long tNanos;
  /** {@code BATTERY_PROPERTY_CURRENT_NOW}: µA, positive into the battery by the Android contract. */
  public final Integer currentUa;
  /** {@code EXTRA_VOLTAGE} of the sticky battery intent: mV. */
  public final Integer voltageMv;
  /** {@code BATTERY_PROPERTY_ENERGY_COUNTER}: remaining energy in nWh. */
  public final Long energyNwh;

  /**
   * @param tNanos monotonic time of the reading
   * @param currentUa current in µA, or null
   * @param voltageMv voltage in mV, or null
   * @param energyNwh energy counter in nWh, or null
   */
  public BatterySample(long tNanos, Integer currentUa, Integer voltageMv, Long energyNwh) {
    this.tNanos = tNanos;
    this.currentUa = currentUa;
    this.voltageMv = voltageMv;
    this.energyNwh = energyNwh;
  }
}
