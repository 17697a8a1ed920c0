package org.mobilekit.demo.core;

import org.json.JSONException;
import org.json.JSONObject;

/**
 * One raw battery reading, as the phone reported it: nothing is converted, normalised or judged here.
 * The device runner's tested algorithm ({@code mobilekit.device_runner.power}) turns a list of these
 * into energy (vendor units and signs, charging detection, idle baseline, per timed inference).
 *
 * <p>Two sources per reading, either may be null: BatteryManager ({@code CURRENT_NOW} µA, the sticky
 * intent's {@code EXTRA_VOLTAGE} mV, {@code EXTRA_PLUGGED}, {@code EXTRA_STATUS}, {@code ENERGY_COUNTER}
 * nWh) and sysfs {@code /sys/class/power_supply/} ({@code battery/current_now}, {@code voltage_now},
 * {@code status}, {@code usb/online}, {@code ac/online}) where SELinux lets the app read it. sysfs is
 * what survives {@code dumpsys battery unplug}: that command only changes what BatteryManager reports,
 * while USB keeps charging the battery.
 */
public final class BatterySample {
  /** {@code System.currentTimeMillis()} of the reading (the phone's wall clock, as the runner's sampler). */
  public final long tEpochMs;
  /** BatteryManager {@code BATTERY_PROPERTY_CURRENT_NOW}: µA, positive into the battery by contract. */
  public final Integer bmCurrentUa;
  /** {@code EXTRA_VOLTAGE} of the sticky battery intent: mV. */
  public final Integer bmVoltageMv;
  /** {@code EXTRA_PLUGGED}: 0 on battery, else BATTERY_PLUGGED_* (fooled by dumpsys battery unplug). */
  public final Integer bmPlugged;
  /** {@code EXTRA_STATUS}: BATTERY_STATUS_* (2 charging, 3 discharging, 4 not charging, 5 full). */
  public final Integer bmStatus;
  /** {@code BATTERY_PROPERTY_ENERGY_COUNTER}: nWh remaining. */
  public final Long bmEnergyNwh;
  /** sysfs {@code battery/current_now}, raw (usually µA, some vendors mA; vendor-specific sign). */
  public final Long sysfsCurrentNow;
  /** sysfs {@code battery/voltage_now}, raw (µV, some vendors mV). */
  public final Long sysfsVoltageNow;
  /** sysfs {@code battery/status}: Charging, Discharging, Not charging, Full. */
  public final String sysfsStatus;
  /** sysfs {@code usb/online}: 1 when USB power is present. */
  public final Integer usbOnline;
  /** sysfs {@code ac/online}: 1 when a wall charger is present. */
  public final Integer acOnline;

  /**
   * @param tEpochMs wall-clock time of the reading
   * @param bmCurrentUa BatteryManager current (µA) or null
   * @param bmVoltageMv BatteryManager voltage (mV) or null
   * @param bmPlugged EXTRA_PLUGGED or null
   * @param bmStatus EXTRA_STATUS or null
   * @param bmEnergyNwh ENERGY_COUNTER (nWh) or null
   * @param sysfsCurrentNow raw sysfs current_now or null
   * @param sysfsVoltageNow raw sysfs voltage_now or null
   * @param sysfsStatus sysfs status or null
   * @param usbOnline sysfs usb/online or null
   * @param acOnline sysfs ac/online or null
   */
  public BatterySample(long tEpochMs, Integer bmCurrentUa, Integer bmVoltageMv, Integer bmPlugged, Integer bmStatus,
      Long bmEnergyNwh, Long sysfsCurrentNow, Long sysfsVoltageNow, String sysfsStatus, Integer usbOnline,
      Integer acOnline) {
    this.tEpochMs = tEpochMs;
    this.bmCurrentUa = bmCurrentUa;
    this.bmVoltageMv = bmVoltageMv;
    this.bmPlugged = bmPlugged;
    this.bmStatus = bmStatus;
    this.bmEnergyNwh = bmEnergyNwh;
    this.sysfsCurrentNow = sysfsCurrentNow;
    this.sysfsVoltageNow = sysfsVoltageNow;
    this.sysfsStatus = sysfsStatus;
    this.usbOnline = usbOnline;
    this.acOnline = acOnline;
  }

  /**
   * The reading as one object of result.json's {@code power_samples} lists (nulls kept).
   *
   * @return the JSON object
   * @throws JSONException never for these field types
   */
  public JSONObject toJson() throws JSONException {
    JSONObject o = new JSONObject();
    o.put("t_ms", tEpochMs);
    o.put("bm_current_ua", orNull(bmCurrentUa));
    o.put("bm_voltage_mv", orNull(bmVoltageMv));
    o.put("bm_plugged", orNull(bmPlugged));
    o.put("bm_status", orNull(bmStatus));
    o.put("bm_energy_nwh", orNull(bmEnergyNwh));
    o.put("sysfs_current_now", orNull(sysfsCurrentNow));
    o.put("sysfs_voltage_now", orNull(sysfsVoltageNow));
    o.put("sysfs_status", orNull(sysfsStatus));
    o.put("usb_online", orNull(usbOnline));
    o.put("ac_online", orNull(acOnline));
    return o;
  }

  private static Object orNull(Object v) {
    return v == null ? JSONObject.NULL : v;
  }
}
