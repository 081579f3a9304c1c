// Airport coordinates from airports.csv plus the IANA time zone at those coordinates, which serving
// needs to turn a departure given with a UTC offset into the airport's local time.

import tzLookup from "@photostructure/tz-lookup";
import { readAirports } from "./data/airports";
import type { AirportLocation } from "./tables";

export async function loadAirportLocations(path: string): Promise<Map<string, AirportLocation>> {
  const { airports } = await readAirports(path);
  const locations = new Map<string, AirportLocation>();
  for (const [code, airport] of airports) {
    locations.set(code, {
      latitude: airport.latitude,
      longitude: airport.longitude,
      timeZone: tzLookup(airport.latitude, airport.longitude),
    });
  }
  return locations;
}
