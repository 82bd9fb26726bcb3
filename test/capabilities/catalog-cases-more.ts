import type { CatalogCase } from "./catalog-cases.ts";

/**
 * The second half of the built-in catalog's cases (research, health, places, time, media, ...),
 * in the same shape as CATALOG_CASES: the arguments a model would pass, the request the real API
 * expects, and a response shaped like the real API's (trimmed to a few items).
 */
export const MORE_CATALOG_CASES: Record<string, CatalogCase> = {
  arxiv_search: {
    args: { query: "all:diffusion AND cat:cs.LG", max_results: 2, sort_by: "submittedDate" },
    request: {
      path: "/api/query",
      query: {
        search_query: "all:diffusion AND cat:cs.LG",
        max_results: "2",
        start: "0",
        sortBy: "submittedDate",
        sortOrder: "descending",
      },
    },
    response: `<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/" xmlns:arxiv="http://arxiv.org/schemas/atom">
  <title type="html">ArXiv Query: search_query=all:diffusion AND cat:cs.LG</title>
  <opensearch:totalResults>18342</opensearch:totalResults>
  <opensearch:startIndex>0</opensearch:startIndex>
  <entry>
    <id>http://arxiv.org/abs/2006.11239v2</id>
    <updated>2020-12-16T21:38:45Z</updated>
    <published>2020-06-19T17:24:44Z</published>
    <title>Denoising Diffusion Probabilistic Models</title>
    <summary>We present high quality image synthesis results using diffusion probabilistic models.</summary>
    <author><name>Jonathan Ho</name></author>
    <author><name>Ajay Jain</name></author>
    <link href="http://arxiv.org/abs/2006.11239v2" rel="alternate" type="text/html"/>
    <link title="pdf" href="http://arxiv.org/pdf/2006.11239v2" rel="related" type="application/pdf"/>
    <arxiv:primary_category term="cs.LG" scheme="http://arxiv.org/schemas/atom"/>
  </entry>
</feed>`,
    expect: [
      '"totalResults":"18342"',
      '"title":"Denoising Diffusion Probabilistic Models"',
      '"author":[{"name":"Jonathan Ho"},{"name":"Ajay Jain"}]',
      '"@href":"http://arxiv.org/pdf/2006.11239v2"',
    ],
  },
  pubmed_search: {
    args: { term: "metformin AND aging[mesh]", max_results: 3, sort: "pub_date", min_date: "2020" },
    request: {
      path: "/entrez/eutils/esearch.fcgi",
      query: {
        db: "pubmed",
        retmode: "json",
        term: "metformin AND aging[mesh]",
        retmax: "3",
        sort: "pub_date",
        mindate: "2020",
        datetype: "pdat",
      },
    },
    response: {
      header: { type: "esearch", version: "0.3" },
      esearchresult: {
        count: "1187",
        retmax: "3",
        retstart: "0",
        idlist: ["39612345", "39598765", "39587654"],
        translationset: [],
        querytranslation: '"metformin"[MeSH Terms] AND "aging"[MeSH Terms]',
      },
    },
    expect: ['"count":"1187"', '"idlist":["39612345","39598765","39587654"]'],
  },
  pubmed_articles: {
    args: { ids: "31978945,32015507" },
    env: { NCBI_API_KEY: "ncbi-key-1" },
    request: {
      path: "/entrez/eutils/esummary.fcgi",
      query: { db: "pubmed", retmode: "json", id: "31978945,32015507", api_key: "ncbi-key-1" },
    },
    response: {
      header: { type: "esummary", version: "0.3" },
      result: {
        uids: ["31978945", "32015507"],
        "31978945": {
          uid: "31978945",
          pubdate: "2020 Feb 20",
          source: "N Engl J Med",
          authors: [{ name: "Zhu N", authtype: "Author" }],
          title: "A Novel Coronavirus from Patients with Pneumonia in China, 2019.",
          fulljournalname: "The New England journal of medicine",
          elocationid: "doi: 10.1056/NEJMoa2001017",
          pubtype: ["Journal Article"],
        },
        "32015507": {
          uid: "32015507",
          pubdate: "2020 Mar",
          source: "Nature",
          authors: [{ name: "Zhou P", authtype: "Author" }],
          title: "A pneumonia outbreak associated with a new coronavirus of probable bat origin.",
          fulljournalname: "Nature",
        },
      },
    },
    expect: ["A Novel Coronavirus from Patients with Pneumonia", '"source":"Nature"'],
  },
  europepmc_search: {
    args: { query: "malaria vaccine AND OPEN_ACCESS:y", page_size: 2, sort: "CITED desc" },
    request: {
      path: "/europepmc/webservices/rest/search",
      query: {
        query: "malaria vaccine AND OPEN_ACCESS:y",
        pageSize: "2",
        sort: "CITED desc",
        format: "json",
        resultType: "lite",
      },
    },
    response: {
      version: "6.9",
      hitCount: 5321,
      nextCursorMark: "AoIIQJ",
      request: { queryString: "malaria vaccine AND OPEN_ACCESS:y", resultType: "lite" },
      resultList: {
        result: [
          {
            id: "26458807",
            source: "MED",
            pmid: "26458807",
            pmcid: "PMC4725156",
            doi: "10.1016/s0140-6736(15)60721-8",
            title:
              "Efficacy and safety of RTS,S/AS01 malaria vaccine with or without a booster dose.",
            authorString: "RTS,S Clinical Trials Partnership.",
            journalTitle: "Lancet",
            pubYear: "2015",
            isOpenAccess: "Y",
            citedByCount: 612,
          },
        ],
      },
    },
    expect: ['"hitCount":5321', "RTS,S/AS01 malaria vaccine", '"citedByCount":612'],
  },
  clinical_trials_search: {
    args: { condition: "type 2 diabetes", location: "Boston", status: "RECRUITING", page_size: 1 },
    request: {
      path: "/api/v2/studies",
      query: {
        "query.cond": "type 2 diabetes",
        "query.locn": "Boston",
        "filter.overallStatus": "RECRUITING",
        pageSize: "1",
        format: "json",
        countTotal: "true",
        fields: "^NCTId,BriefTitle,OverallStatus",
      },
    },
    response: {
      totalCount: 87,
      studies: [
        {
          protocolSection: {
            identificationModule: {
              nctId: "NCT05012345",
              briefTitle: "Tirzepatide and Beta-cell Function in Type 2 Diabetes",
            },
            statusModule: {
              overallStatus: "RECRUITING",
              startDateStruct: { date: "2024-03" },
            },
            sponsorCollaboratorsModule: {
              leadSponsor: { name: "Massachusetts General Hospital" },
            },
            designModule: { phases: ["PHASE2"], enrollmentInfo: { count: 120 } },
            contactsLocationsModule: {
              locations: [
                { facility: "MGH Diabetes Center", city: "Boston", country: "United States" },
              ],
            },
          },
        },
      ],
      nextPageToken: "NF0g5JGBlPM",
    },
    expect: ['"totalCount":87', '"nctId":"NCT05012345"', '"overallStatus":"RECRUITING"'],
  },
  openfda_drug_label: {
    args: { drug: "atorvastatin" },
    request: {
      path: "/drug/label.json",
      query: {
        search: 'openfda.brand_name:"atorvastatin" openfda.generic_name:"atorvastatin"',
        limit: "1",
      },
    },
    response: {
      meta: {
        disclaimer: "Do not rely on openFDA to make decisions regarding medical care.",
        results: { skip: 0, limit: 1, total: 96 },
      },
      results: [
        {
          indications_and_usage: [
            "1 INDICATIONS AND USAGE Atorvastatin calcium tablets are indicated to reduce the risk of MI, stroke...",
          ],
          adverse_reactions: ["6 ADVERSE REACTIONS ... nasopharyngitis, arthralgia, diarrhea ..."],
          openfda: {
            brand_name: ["Atorvastatin Calcium"],
            generic_name: ["ATORVASTATIN CALCIUM"],
            manufacturer_name: ["Greenstone LLC"],
          },
        },
      ],
    },
    expect: ['"total":96', "nasopharyngitis, arthralgia", '"manufacturer_name":["Greenstone LLC"]'],
  },
  openfda_recalls: {
    args: { product: "peanut butter", limit: 2 },
    env: { OPENFDA_API_KEY: "fda-key-1" },
    request: {
      path: "/food/enforcement.json",
      query: {
        search:
          'product_description:"peanut butter" recalling_firm:"peanut butter" reason_for_recall:"peanut butter"',
        limit: "2",
        sort: "report_date:desc",
        api_key: "fda-key-1",
      },
    },
    response: {
      meta: { results: { skip: 0, limit: 2, total: 412 } },
      results: [
        {
          status: "Ongoing",
          classification: "Class I",
          product_description: "Creamy Peanut Butter, 16 oz jar, UPC 0 51500 24281 8",
          reason_for_recall: "Potential contamination with Salmonella.",
          recalling_firm: "The J.M. Smucker Company",
          distribution_pattern: "Nationwide",
          recall_initiation_date: "20220520",
          report_date: "20220601",
        },
      ],
    },
    expect: ['"classification":"Class I"', "Potential contamination with Salmonella."],
  },
  wikidata_search: {
    args: { search: "Douglas Adams", limit: 2 },
    request: {
      path: "/w/api.php",
      query: {
        action: "wbsearchentities",
        format: "json",
        type: "item",
        search: "Douglas Adams",
        language: "en",
        uselang: "en",
        limit: "2",
      },
    },
    response: {
      searchinfo: { search: "Douglas Adams" },
      search: [
        {
          id: "Q42",
          title: "Q42",
          pageid: 138,
          concepturi: "http://www.wikidata.org/entity/Q42",
          label: "Douglas Adams",
          description: "English author and humourist (1952–2001)",
          match: { type: "label", language: "en", text: "Douglas Adams" },
        },
      ],
      success: 1,
    },
    expect: ['"id":"Q42"', "English author and humourist"],
  },
  datamuse_words: {
    args: { rhymes_with: "orange", topics: "poetry", max: 3 },
    request: { path: "/words", query: { rel_rhy: "orange", topics: "poetry", max: "3" } },
    response: [
      { word: "door hinge", score: 96, numSyllables: 2 },
      { word: "sporange", score: 61, numSyllables: 2 },
    ],
    expect: ['"word":"door hinge"', '"word":"sporange"'],
  },
  gutendex_books: {
    args: { search: "verne", languages: "fr" },
    request: { path: "/books", query: { search: "verne", languages: "fr" } },
    response: {
      count: 41,
      next: "https://gutendex.com/books/?languages=fr&page=2&search=verne",
      previous: null,
      results: [
        {
          id: 4791,
          title: "Voyage au Centre de la Terre",
          authors: [{ name: "Verne, Jules", birth_year: 1828, death_year: 1905 }],
          subjects: ["Science fiction"],
          languages: ["fr"],
          copyright: false,
          media_type: "Text",
          formats: { "application/epub+zip": "https://www.gutenberg.org/ebooks/4791.epub3.images" },
          download_count: 1203,
        },
      ],
    },
    expect: ['"count":41', '"title":"Voyage au Centre de la Terre"', "4791.epub3.images"],
  },
  time_in_zone: {
    args: { time_zone: "Asia/Tokyo" },
    request: { path: "/api/time/current/zone", query: { timeZone: "Asia/Tokyo" } },
    response: {
      year: 2026,
      month: 12,
      day: 7,
      hour: 15,
      minute: 4,
      seconds: 12,
      milliSeconds: 310,
      dateTime: "2026-12-07T15:04:12.3101234",
      date: "12/07/2026",
      time: "15:04",
      timeZone: "Asia/Tokyo",
      dayOfWeek: "Monday",
      dstActive: false,
    },
    expect: ['"dateTime":"2026-12-07T15:04:12.3101234"', '"dayOfWeek":"Monday"'],
  },
  timezone_convert: {
    args: {
      date_time: "2025-03-14 15:00:00",
      from_time_zone: "America/Los_Angeles",
      to_time_zone: "Europe/Berlin",
    },
    request: {
      method: "POST",
      path: "/api/conversion/converttimezone",
      headers: { "content-type": "application/json" },
      body: {
        fromTimeZone: "America/Los_Angeles",
        dateTime: "2025-03-14 15:00:00",
        toTimeZone: "Europe/Berlin",
        dstAmbiguity: "",
      },
    },
    response: {
      fromTimezone: "America/Los_Angeles",
      fromDateTime: "2025-03-14T15:00:00",
      toTimeZone: "Europe/Berlin",
      conversionResult: {
        year: 2025,
        month: 3,
        day: 14,
        hour: 23,
        minute: 0,
        dateTime: "2025-03-14T23:00:00",
        time: "23:00",
        timeZone: "Europe/Berlin",
        dstActive: false,
      },
    },
    expect: ['"dateTime":"2025-03-14T23:00:00"', '"timeZone":"Europe/Berlin"'],
  },
  long_weekends: {
    args: { year: 2026, country_code: "DE" },
    request: { path: "/api/v3/LongWeekend/2026/DE" },
    response: [
      {
        startDate: "2026-04-03",
        endDate: "2026-04-06",
        dayCount: 4,
        needBridgeDay: false,
        bridgeDays: [],
      },
      {
        startDate: "2026-05-14",
        endDate: "2026-05-17",
        dayCount: 4,
        needBridgeDay: true,
        bridgeDays: ["2026-05-15"],
      },
    ],
    expect: ['"startDate":"2026-04-03"', '"bridgeDays":["2026-05-15"]'],
  },
  nasa_asteroids: {
    args: { start_date: "2024-12-24", end_date: "2024-12-25" },
    request: {
      path: "/neo/rest/v1/feed",
      query: { start_date: "2024-12-24", end_date: "2024-12-25", api_key: "DEMO_KEY" },
    },
    response: {
      element_count: 1,
      near_earth_objects: {
        "2024-12-24": [
          {
            id: "3542519",
            name: "(2010 PK9)",
            estimated_diameter: {
              meters: { estimated_diameter_min: 120.3, estimated_diameter_max: 269.1 },
            },
            is_potentially_hazardous_asteroid: true,
            close_approach_data: [
              {
                close_approach_date_full: "2024-Dec-24 02:05",
                relative_velocity: { kilometers_per_hour: "48795.2" },
                miss_distance: { lunar: "17.7", kilometers: "6810543.2" },
                orbiting_body: "Earth",
              },
            ],
          },
        ],
      },
    },
    expect: ['"name":"(2010 PK9)"', '"is_potentially_hazardous_asteroid":true', '"lunar":"17.7"'],
  },
  iss_position: {
    args: { units: "miles" },
    request: { path: "/v1/satellites/25544", query: { units: "miles" } },
    response: {
      name: "iss",
      id: 25544,
      latitude: 50.11496269845,
      longitude: 118.07900427317,
      altitude: 254.4,
      velocity: 17146.8,
      visibility: "daylight",
      footprint: 2830.8,
      timestamp: 1764990000,
      units: "miles",
    },
    expect: ['"latitude":50.11496269845', '"visibility":"daylight"'],
  },
  space_launches: {
    args: { search: "Starship", limit: 2 },
    request: {
      path: "/2.2.0/launch/upcoming/",
      query: { search: "Starship", limit: "2", mode: "list" },
    },
    response: {
      count: 3,
      next: null,
      previous: null,
      results: [
        {
          id: "e7e2b2a5-4d5e-4c7b-9f66-2b1c2d3e4f5a",
          name: "Starship | Flight 12",
          status: { id: 2, name: "To Be Determined", abbrev: "TBD" },
          net: "2026-12-20T13:00:00Z",
          window_start: "2026-12-20T13:00:00Z",
          window_end: "2026-12-20T15:00:00Z",
          lsp_name: "SpaceX",
          mission: "Flight Test",
          pad: "Orbital Launch Mount B",
          location: "SpaceX Starbase, TX, USA",
          orbit: "Suborbital",
        },
      ],
    },
    expect: ['"name":"Starship | Flight 12"', '"net":"2026-12-20T13:00:00Z"'],
  },
  on_this_day: {
    args: { month: "07", day: "20" },
    request: { path: "/api/rest_v1/feed/onthisday/selected/07/20" },
    response: {
      selected: [
        {
          text: "Apollo 11 lands on the Moon; Neil Armstrong and Buzz Aldrin walk on its surface.",
          year: 1969,
          pages: [
            {
              title: "Apollo_11",
              extract:
                "Apollo 11 was the American spaceflight that first landed humans on the Moon.",
            },
          ],
        },
      ],
    },
    expect: ['"year":1969', "Apollo 11 lands on the Moon"],
  },
  ip_geolocation: {
    args: { ip: "8.8.8.8" },
    request: { path: "/8.8.8.8/json/" },
    response: {
      ip: "8.8.8.8",
      network: "8.8.8.0/24",
      version: "IPv4",
      city: "Mountain View",
      region: "California",
      country_name: "United States",
      country_code: "US",
      postal: "94043",
      latitude: 37.42301,
      longitude: -122.083352,
      timezone: "America/Los_Angeles",
      currency: "USD",
      asn: "AS15169",
      org: "GOOGLE",
    },
    expect: ['"city":"Mountain View"', '"asn":"AS15169"'],
  },
  reverse_geocode: {
    args: { latitude: 40.748817, longitude: -73.985428 },
    request: {
      path: "/reverse",
      query: {
        lat: "40.748817",
        lon: "-73.985428",
        zoom: "18",
        "accept-language": "en",
        format: "jsonv2",
        addressdetails: "1",
      },
      headers: { "user-agent": "mcp-gateway capability reverse_geocode (OpenStreetMap Nominatim)" },
    },
    response: {
      place_id: 331297418,
      licence: "Data © OpenStreetMap contributors, ODbL 1.0. http://osm.org/copyright",
      osm_type: "way",
      osm_id: 34633854,
      lat: "40.7484284",
      lon: "-73.9856546198733",
      category: "building",
      type: "yes",
      name: "Empire State Building",
      display_name:
        "Empire State Building, 350, 5th Avenue, Manhattan, New York, 10118, United States",
      address: {
        house_number: "350",
        road: "5th Avenue",
        city: "New York",
        postcode: "10118",
        country: "United States",
        country_code: "us",
      },
    },
    expect: ['"name":"Empire State Building"', '"postcode":"10118"'],
  },
  address_lookup: {
    args: { query: "10 Downing Street, London", country_codes: "gb", limit: 1 },
    request: {
      path: "/search",
      query: {
        q: "10 Downing Street, London",
        countrycodes: "gb",
        limit: "1",
        "accept-language": "en",
        format: "jsonv2",
        addressdetails: "1",
      },
      headers: { "user-agent": "mcp-gateway capability address_lookup (OpenStreetMap Nominatim)" },
    },
    response: [
      {
        place_id: 123456,
        osm_type: "way",
        lat: "51.50344025",
        lon: "-0.12770820958562096",
        category: "building",
        type: "government",
        name: "10 Downing Street",
        display_name: "10 Downing Street, Whitehall, Westminster, London, SW1A 2AA, United Kingdom",
        boundingbox: ["51.5032", "51.5036", "-0.1281", "-0.1273"],
      },
    ],
    expect: ['"lat":"51.50344025"', "SW1A 2AA"],
  },
  driving_route: {
    args: {
      from_latitude: 52.52,
      from_longitude: 13.405,
      to_latitude: 48.137,
      to_longitude: 11.575,
    },
    request: {
      path: "/route/v1/driving/13.405,52.52;11.575,48.137",
      query: { steps: "false", overview: "false", alternatives: "false" },
    },
    response: {
      code: "Ok",
      routes: [
        {
          legs: [
            {
              steps: [],
              summary: "A 9, A 99",
              weight: 20870.2,
              duration: 20870.2,
              distance: 584121.3,
            },
          ],
          weight_name: "routability",
          weight: 20870.2,
          duration: 20870.2,
          distance: 584121.3,
        },
      ],
      waypoints: [
        { hint: "x", distance: 4.2, name: "Rathausstraße", location: [13.405, 52.52] },
        { hint: "y", distance: 3.1, name: "Marienplatz", location: [11.575, 48.137] },
      ],
    },
    expect: ['"code":"Ok"', '"distance":584121.3', '"summary":"A 9, A 99"'],
  },
  places_nearby: {
    args: { latitude: 52.52, longitude: 13.405, value: "cafe", radius: 500, limit: 2 },
    request: {
      path: "/api/interpreter",
      query: {
        data: '[out:json][timeout:25];nwr["amenity"="cafe"](around:500,52.52,13.405);out center 2;',
      },
    },
    response: {
      version: 0.6,
      generator: "Overpass API 0.7.62",
      elements: [
        {
          type: "node",
          id: 1234567890,
          lat: 52.5207,
          lon: 13.4043,
          tags: {
            amenity: "cafe",
            name: "Café am Neuen See",
            opening_hours: "Mo-Su 09:00-19:00",
            "addr:street": "Alexanderplatz",
          },
        },
      ],
    },
    expect: ['"name":"Café am Neuen See"', '"opening_hours":"Mo-Su 09:00-19:00"'],
  },
  us_weather_alerts: {
    args: { area: "TX", severity: "Severe" },
    request: {
      path: "/alerts/active",
      query: { area: "TX", severity: "Severe" },
      headers: {
        "user-agent": "mcp-gateway capability us_weather_alerts",
        accept: "application/geo+json",
      },
    },
    response: {
      type: "FeatureCollection",
      features: [
        {
          id: "https://api.weather.gov/alerts/urn:oid:2.49.0.1.840.0.abc",
          type: "Feature",
          geometry: null,
          properties: {
            areaDesc: "Dallas, TX; Tarrant, TX",
            effective: "2026-05-01T16:12:00-05:00",
            expires: "2026-05-01T17:00:00-05:00",
            severity: "Severe",
            urgency: "Immediate",
            event: "Severe Thunderstorm Warning",
            headline:
              "Severe Thunderstorm Warning issued May 1 at 4:12PM CDT until 5:00PM CDT by NWS Fort Worth TX",
            instruction:
              "For your protection move to an interior room on the lowest floor of a building.",
          },
        },
      ],
      title: "Current watches, warnings, and advisories for Texas",
      updated: "2026-05-01T21:15:00+00:00",
    },
    expect: ['"event":"Severe Thunderstorm Warning"', '"areaDesc":"Dallas, TX; Tarrant, TX"'],
  },
  marine_forecast: {
    args: { latitude: 43.67, longitude: -1.44, days: 3 },
    request: {
      path: "/v1/marine",
      query: {
        latitude: "43.67",
        longitude: "-1.44",
        forecast_days: "3",
        current: "^wave_height,",
        daily: "^wave_height_max,",
        timezone: "auto",
      },
    },
    response: {
      latitude: 43.666668,
      longitude: -1.4583282,
      timezone: "Europe/Paris",
      current_units: { wave_height: "m", sea_surface_temperature: "°C" },
      current: {
        time: "2026-12-07T10:00",
        wave_height: 2.86,
        wave_period: 11.2,
        sea_surface_temperature: 13.4,
      },
      daily_units: { wave_height_max: "m" },
      daily: { time: ["2026-12-07", "2026-12-08", "2026-12-09"], wave_height_max: [3.1, 2.4, 1.9] },
    },
    expect: ['"wave_height":2.86', '"wave_height_max":[3.1,2.4,1.9]'],
  },
  weather_history: {
    args: { latitude: 48.85, longitude: 2.35, start_date: "2020-07-14", end_date: "2020-07-14" },
    request: {
      path: "/v1/archive",
      query: {
        latitude: "48.85",
        longitude: "2.35",
        start_date: "2020-07-14",
        end_date: "2020-07-14",
        temperature_unit: "celsius",
        daily: "^temperature_2m_max,temperature_2m_min,precipitation_sum",
        timezone: "auto",
      },
    },
    response: {
      latitude: 48.86,
      longitude: 2.35,
      timezone: "Europe/Paris",
      daily_units: { temperature_2m_max: "°C", precipitation_sum: "mm" },
      daily: {
        time: ["2020-07-14"],
        temperature_2m_max: [24.9],
        temperature_2m_min: [13.6],
        precipitation_sum: [0],
        weather_code: [1],
      },
    },
    expect: ['"temperature_2m_max":[24.9]', '"precipitation_sum":[0]'],
  },
  crypto_price: {
    args: { ids: "bitcoin,ethereum", vs_currencies: "usd,eur" },
    env: { COINGECKO_API_KEY: "cg-demo-key-1" },
    request: {
      path: "/api/v3/simple/price",
      query: {
        ids: "bitcoin,ethereum",
        vs_currencies: "usd,eur",
        include_24hr_change: "true",
        include_market_cap: "true",
      },
      headers: { "x-cg-demo-api-key": "cg-demo-key-1" },
    },
    response: {
      bitcoin: {
        usd: 97213,
        usd_market_cap: 1925613540123.4,
        usd_24h_change: -1.8432,
        eur: 92811,
        last_updated_at: 1765090000,
      },
      ethereum: { usd: 3612.54, usd_24h_change: 0.4411, eur: 3448.9, last_updated_at: 1765090000 },
    },
    expect: ['"bitcoin":{"usd":97213', '"usd_24h_change":0.4411'],
  },
  currency_history: {
    args: { start_date: "2025-03-03", end_date: "2025-03-05", from: "USD", to: "JPY" },
    request: { path: "/2025-03-03..2025-03-05", query: { from: "USD", to: "JPY" } },
    response: {
      amount: 1,
      base: "USD",
      start_date: "2025-03-03",
      end_date: "2025-03-05",
      rates: {
        "2025-03-03": { JPY: 150.64 },
        "2025-03-04": { JPY: 149.29 },
        "2025-03-05": { JPY: 149.01 },
      },
    },
    expect: ['"2025-03-04":{"JPY":149.29}', '"base":"USD"'],
  },
  sec_filings_search: {
    args: { query: '"supply chain disruption"', forms: "10-K", start_date: "2024-01-01" },
    env: { SEC_USER_AGENT: "Jane Analyst jane@example.com" },
    request: {
      path: "/LATEST/search-index",
      query: { q: '"supply chain disruption"', forms: "10-K", startdt: "2024-01-01" },
      headers: { "user-agent": "Jane Analyst jane@example.com" },
    },
    response: {
      took: 41,
      timed_out: false,
      hits: {
        total: { value: 2981, relation: "eq" },
        hits: [
          {
            _id: "0000320193-24-000123:aapl-20240928.htm",
            _score: 12.1,
            _source: {
              ciks: ["0000320193"],
              display_names: ["Apple Inc.  (AAPL)  (CIK 0000320193)"],
              form: "10-K",
              file_date: "2024-11-01",
              period_ending: "2024-09-28",
              adsh: "0000320193-24-000123",
            },
          },
        ],
      },
    },
    expect: ['"value":2981', '"ciks":["0000320193"]', '"form":"10-K"'],
  },
  sec_company_financials: {
    args: { cik: "0000320193", concept: "NetIncomeLoss" },
    request: {
      path: "/api/xbrl/companyconcept/CIK0000320193/us-gaap/NetIncomeLoss.json",
      headers: { "user-agent": "mcp-gateway capability sec_company_financials" },
    },
    response: {
      cik: 320193,
      taxonomy: "us-gaap",
      tag: "NetIncomeLoss",
      label: "Net Income (Loss) Attributable to Parent",
      entityName: "Apple Inc.",
      units: {
        USD: [
          {
            start: "2022-09-25",
            end: "2023-09-30",
            val: 96995000000,
            accn: "0000320193-23-000106",
            fy: 2023,
            fp: "FY",
            form: "10-K",
            filed: "2023-11-03",
            frame: "CY2023",
          },
        ],
      },
    },
    expect: ['"entityName":"Apple Inc."', '"val":96995000000'],
  },
  tv_show_lookup: {
    args: { name: "The Last of Us" },
    request: { path: "/singlesearch/shows", query: { q: "The Last of Us", embed: "nextepisode" } },
    response: {
      id: 46562,
      url: "https://www.tvmaze.com/shows/46562/the-last-of-us",
      name: "The Last of Us",
      type: "Scripted",
      language: "English",
      genres: ["Drama", "Action", "Horror"],
      status: "Running",
      premiered: "2023-01-15",
      schedule: { time: "21:00", days: ["Sunday"] },
      rating: { average: 8.6 },
      network: { id: 8, name: "HBO", country: { code: "US" } },
      summary: "<p>Joel and Ellie must survive ruthless killers and monsters.</p>",
      _embedded: {
        nextepisode: { name: "Chapter One", season: 3, number: 1, airdate: "2027-01-10" },
      },
    },
    expect: ['"name":"HBO"', '"nextepisode":{"name":"Chapter One","season":3'],
  },
  itunes_search: {
    args: { term: "hardcore history", media: "podcast", limit: 1 },
    request: {
      path: "/search",
      query: { term: "hardcore history", media: "podcast", country: "US", limit: "1" },
    },
    response: {
      resultCount: 1,
      results: [
        {
          wrapperType: "track",
          kind: "podcast",
          collectionId: 173001861,
          artistName: "Dan Carlin",
          collectionName: "Dan Carlin's Hardcore History",
          feedUrl: "https://feeds.feedburner.com/dancarlin/history?format=xml",
          primaryGenreName: "History",
          releaseDate: "2025-11-20T00:00:00Z",
        },
      ],
    },
    expect: ['"artistName":"Dan Carlin"', "feeds.feedburner.com/dancarlin/history"],
  },
  artwork_search: {
    args: { query: "nighthawks hopper", limit: 1 },
    request: {
      path: "/api/v1/artworks/search",
      query: { q: "nighthawks hopper", limit: "1", fields: "^id,title,artist_display" },
    },
    response: {
      preference: null,
      pagination: { total: 4, limit: 1, offset: 0, total_pages: 4, current_page: 1 },
      data: [
        {
          _score: 210.2,
          id: 111628,
          title: "Nighthawks",
          artist_display: "Edward Hopper\nAmerican, 1882–1967",
          date_display: "1942",
          medium_display: "Oil on canvas",
          department_title: "Arts of the Americas",
          gallery_title: "Gallery 262",
          is_public_domain: false,
          image_id: "831a05de-d3f6-f4fa-a460-23008dd58dda",
        },
      ],
      config: { iiif_url: "https://www.artic.edu/iiif/2", website_url: "http://www.artic.edu" },
    },
    expect: ['"title":"Nighthawks"', '"gallery_title":"Gallery 262"'],
  },
  recipe_search: {
    args: { dish: "arrabiata" },
    request: { path: "/api/json/v1/1/search.php", query: { s: "arrabiata" } },
    response: {
      meals: [
        {
          idMeal: "52771",
          strMeal: "Spicy Arrabiata Penne",
          strCategory: "Vegetarian",
          strArea: "Italian",
          strInstructions:
            "Bring a large pot of water to a boil. Add kosher salt to the boiling water...",
          strMealThumb: "https://www.themealdb.com/images/media/meals/ustsqw1468250014.jpg",
          strIngredient1: "penne rigate",
          strMeasure1: "1 pound",
        },
      ],
    },
    expect: ['"strMeal":"Spicy Arrabiata Penne"', '"strMeasure1":"1 pound"'],
  },
  nutrition_facts: {
    args: { query: "raw avocado", data_type: "Foundation,SR Legacy", page_size: 1 },
    env: { USDA_API_KEY: "usda-key-1" },
    request: {
      path: "/fdc/v1/foods/search",
      query: {
        query: "raw avocado",
        dataType: "Foundation,SR Legacy",
        pageSize: "1",
        api_key: "usda-key-1",
      },
    },
    response: {
      totalHits: 14,
      currentPage: 1,
      foods: [
        {
          fdcId: 171705,
          description: "Avocados, raw, all commercial varieties",
          dataType: "SR Legacy",
          foodNutrients: [
            { nutrientName: "Energy", unitName: "KCAL", value: 160 },
            { nutrientName: "Protein", unitName: "G", value: 2 },
          ],
        },
      ],
    },
    expect: [
      '"description":"Avocados, raw, all commercial varieties"',
      '"unitName":"KCAL","value":160',
    ],
  },
  translate_text: {
    args: { text: "Where is the train station?", target: "it" },
    request: { path: "/get", query: { q: "Where is the train station?", langpair: "en|it" } },
    response: {
      responseData: { translatedText: "Dov'è la stazione ferroviaria?", match: 0.98 },
      quotaFinished: false,
      responseStatus: 200,
      matches: [],
    },
    expect: ['"translatedText":"Dov\'è la stazione ferroviaria?"'],
  },
  youtube_search: {
    args: { query: "sourdough bread for beginners", max_results: 2, order: "viewCount" },
    env: { YOUTUBE_API_KEY: "yt-key-1" },
    request: {
      path: "/youtube/v3/search",
      query: {
        q: "sourdough bread for beginners",
        type: "video",
        maxResults: "2",
        order: "viewCount",
        part: "snippet",
        key: "yt-key-1",
      },
    },
    response: {
      kind: "youtube#searchListResponse",
      nextPageToken: "CAIQAA",
      pageInfo: { totalResults: 1000000, resultsPerPage: 2 },
      items: [
        {
          kind: "youtube#searchResult",
          id: { kind: "youtube#video", videoId: "2FVfJTGpXnU" },
          snippet: {
            publishedAt: "2020-04-02T16:00:10Z",
            channelTitle: "Joshua Weissman",
            title: "The Ultimate Beginners Sourdough Bread Guide",
          },
        },
      ],
    },
    expect: ['"videoId":"2FVfJTGpXnU"', '"channelTitle":"Joshua Weissman"'],
  },
  google_places_search: {
    args: { query: "best ramen in Portland, Oregon", max_results: 3, min_rating: 4.5 },
    env: { GOOGLE_MAPS_API_KEY: "maps-key-1" },
    request: {
      method: "POST",
      path: "/v1/places:searchText",
      headers: {
        "x-goog-api-key": "maps-key-1",
        "x-goog-fieldmask":
          "places.displayName,places.formattedAddress,places.rating,places.userRatingCount,places.priceLevel,places.currentOpeningHours.openNow,places.nationalPhoneNumber,places.websiteUri,places.googleMapsUri,places.location,places.primaryTypeDisplayName",
        "content-type": "application/json",
      },
      body: {
        textQuery: "best ramen in Portland, Oregon",
        maxResultCount: 3,
        minRating: 4.5,
        languageCode: "en",
      },
    },
    response: {
      places: [
        {
          displayName: { text: "Afuri Ramen + Dumpling", languageCode: "en" },
          formattedAddress: "923 SE 7th Ave, Portland, OR 97214, USA",
          rating: 4.5,
          userRatingCount: 3120,
          priceLevel: "PRICE_LEVEL_MODERATE",
          currentOpeningHours: { openNow: true },
          googleMapsUri: "https://maps.google.com/?cid=123",
        },
      ],
    },
    expect: ['"text":"Afuri Ramen + Dumpling"', '"userRatingCount":3120'],
  },
  telegram_send_message: {
    args: { chat_id: "123456789", text: "Backup finished", disable_notification: true },
    env: { TELEGRAM_BOT_TOKEN: "110201543:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw" },
    request: {
      method: "POST",
      path: "/bot110201543:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw/sendMessage",
      body: { chat_id: "123456789", text: "Backup finished", disable_notification: true },
    },
    response: {
      ok: true,
      result: {
        message_id: 4711,
        from: { id: 110201543, is_bot: true, first_name: "Ops bot" },
        chat: { id: 123456789, type: "private" },
        date: 1765090000,
        text: "Backup finished",
      },
    },
    expect: ['"ok":true', '"message_id":4711'],
  },
  discord_webhook_post: {
    args: { content: "Server maintenance tonight at 22:00", username: "Ops" },
    env: { DISCORD_WEBHOOK_ID: "112233445566778899", DISCORD_WEBHOOK_TOKEN: "webhook-token-1" },
    request: {
      method: "POST",
      path: "/api/webhooks/112233445566778899/webhook-token-1",
      query: { wait: "true" },
      body: { content: "Server maintenance tonight at 22:00", username: "Ops" },
    },
    response: {
      id: "1311111111111111111",
      type: 0,
      content: "Server maintenance tonight at 22:00",
      channel_id: "998877665544332211",
      author: { id: "112233445566778899", username: "Ops", bot: true },
      timestamp: "2026-12-07T06:00:00.000000+00:00",
      webhook_id: "112233445566778899",
    },
    expect: ['"id":"1311111111111111111"', '"channel_id":"998877665544332211"'],
  },
  sendgrid_send_email: {
    args: { to: "alice@example.com", subject: "Report ready", text: "The Q3 report is ready." },
    env: { SENDGRID_API_KEY: "SG.key-1", SENDGRID_FROM_EMAIL: "reports@example.org" },
    request: {
      method: "POST",
      path: "/v3/mail/send",
      headers: { authorization: "Bearer SG.key-1", "content-type": "application/json" },
      body: {
        personalizations: [{ to: [{ email: "alice@example.com" }] }],
        from: { email: "reports@example.org" },
        subject: "Report ready",
        content: [{ type: "text/plain", value: "The Q3 report is ready." }],
      },
    },
    status: 202,
    response: "",
    expect: ["HTTP 202"],
  },
  twilio_send_sms: {
    args: { to: "+447700900123", body: "Running 10 minutes late" },
    env: {
      TWILIO_ACCOUNT_SID: "AC0123456789abcdef0123456789abcdef",
      TWILIO_AUTH_TOKEN: "twilio-token-1",
      TWILIO_FROM_NUMBER: "+15017122661",
    },
    request: {
      method: "POST",
      path: "/2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef/Messages.json",
      headers: {
        authorization: `Basic ${btoa("AC0123456789abcdef0123456789abcdef:twilio-token-1")}`,
        "content-type": "application/x-www-form-urlencoded",
      },
    },
    status: 201,
    response: {
      sid: "SM1f0e8ae6ade43cb3c0ce4525424e404f",
      status: "queued",
      to: "+447700900123",
      from: "+15017122661",
      body: "Running 10 minutes late",
      num_segments: "1",
    },
    expect: ['"status":"queued"', '"sid":"SM1f0e8ae6ade43cb3c0ce4525424e404f"'],
  },
  airtable_list_records: {
    args: {
      base_id: "appA1b2C3d4E5f6G7",
      table: "Tasks",
      filter_formula: "{Status}='Done'",
      fields: ["Name", "Status"],
      max_records: 2,
    },
    env: { AIRTABLE_TOKEN: "pat-airtable-1" },
    request: {
      path: "/v0/appA1b2C3d4E5f6G7/Tasks",
      query: { filterByFormula: "{Status}='Done'", maxRecords: "2", "fields[]": "Name" },
      headers: { authorization: "Bearer pat-airtable-1" },
    },
    response: {
      records: [
        {
          id: "recA1b2C3d4E5f6G7",
          createdTime: "2026-11-30T09:00:00.000Z",
          fields: { Name: "Ship the catalog", Status: "Done" },
        },
      ],
    },
    expect: ['"id":"recA1b2C3d4E5f6G7"', '"Name":"Ship the catalog"'],
  },
  fred_series: {
    args: { series_id: "UNRATE", start_date: "2025-01-01", limit: 2 },
    env: { FRED_API_KEY: "fred-key-1" },
    request: {
      path: "/fred/series/observations",
      query: {
        series_id: "UNRATE",
        observation_start: "2025-01-01",
        units: "lin",
        limit: "2",
        file_type: "json",
        sort_order: "desc",
        api_key: "fred-key-1",
      },
    },
    response: {
      realtime_start: "2026-12-07",
      realtime_end: "2026-12-07",
      observation_start: "2025-01-01",
      units: "lin",
      count: 22,
      observations: [
        {
          realtime_start: "2026-12-07",
          realtime_end: "2026-12-07",
          date: "2026-10-01",
          value: "4.3",
        },
        {
          realtime_start: "2026-12-07",
          realtime_end: "2026-12-07",
          date: "2026-09-01",
          value: "4.2",
        },
      ],
    },
    expect: ['"date":"2026-10-01","value":"4.3"', '"count":22'],
  },
  news_search: {
    args: { query: "flooding Valencia", timespan: "1d", max_records: 2 },
    request: {
      path: "/api/v2/doc/doc",
      query: {
        query: "flooding Valencia",
        timespan: "1d",
        maxrecords: "2",
        sort: "DateDesc",
        mode: "ArtList",
        format: "json",
      },
    },
    response: {
      articles: [
        {
          url: "https://www.example-news.es/valencia-inundaciones",
          url_mobile: "",
          title: "Floods cut roads around Valencia overnight",
          seendate: "20261207T054500Z",
          socialimage: "",
          domain: "example-news.es",
          language: "Spanish",
          sourcecountry: "Spain",
        },
      ],
    },
    expect: [
      '"title":"Floods cut roads around Valencia overnight"',
      '"seendate":"20261207T054500Z"',
    ],
  },
  web_page_read: {
    args: { url: "https://example.com/blog/post-1?ref=home" },
    request: {
      method: "POST",
      path: "/",
      headers: { accept: "application/json", "content-type": "application/json" },
      body: { url: "https://example.com/blog/post-1?ref=home" },
    },
    response: {
      code: 200,
      status: 20000,
      data: {
        title: "Post one",
        description: "The first post",
        url: "https://example.com/blog/post-1?ref=home",
        content: "# Post one\n\nHello, **reader**.",
        usage: { tokens: 12 },
      },
    },
    expect: ['"title":"Post one"', "Hello, **reader**."],
  },
  pollen_forecast: {
    args: { latitude: 52.52, longitude: 13.41 },
    request: {
      path: "/v1/air-quality",
      query: {
        latitude: "52.52",
        longitude: "13.41",
        forecast_days: "2",
        current: "^alder_pollen,birch_pollen,grass_pollen",
        hourly: "^alder_pollen,",
        timezone: "auto",
      },
    },
    response: {
      latitude: 52.5,
      longitude: 13.4,
      timezone: "Europe/Berlin",
      current_units: { birch_pollen: "grains/m³" },
      current: { time: "2026-04-14T10:00", birch_pollen: 312.4, grass_pollen: 1.2 },
      hourly: { time: ["2026-04-14T00:00"], birch_pollen: [120.1] },
    },
    expect: ['"birch_pollen":312.4'],
  },
  todoist_add_task: {
    args: { content: "Book flights", due_string: "next Monday", priority: 4, labels: ["travel"] },
    env: { TODOIST_API_TOKEN: "todoist-token-1" },
    request: {
      method: "POST",
      path: "/api/v1/tasks",
      headers: { authorization: "Bearer todoist-token-1" },
      body: { content: "Book flights", due_string: "next Monday", priority: 4, labels: ["travel"] },
    },
    response: {
      id: "6X7rM8997g3RQmvh",
      content: "Book flights",
      priority: 4,
      labels: ["travel"],
      due: { date: "2026-12-14", string: "next Monday", is_recurring: false },
      project_id: "6Jf8VQXxpwv56VQ7",
    },
    expect: ['"id":"6X7rM8997g3RQmvh"', '"date":"2026-12-14"'],
  },
  unsplash_photo_search: {
    args: { query: "northern lights", per_page: 1, orientation: "landscape" },
    env: { UNSPLASH_ACCESS_KEY: "unsplash-key-1" },
    request: {
      path: "/search/photos",
      query: { query: "northern lights", per_page: "1", orientation: "landscape" },
      headers: { authorization: "Client-ID unsplash-key-1", "accept-version": "v1" },
    },
    response: {
      total: 10000,
      total_pages: 10000,
      results: [
        {
          id: "Dwu85P9SOIk",
          width: 6000,
          height: 4000,
          color: "#0c2626",
          alt_description: "green aurora borealis over a snowy mountain",
          urls: { regular: "https://images.unsplash.com/photo-1?w=1080" },
          links: { html: "https://unsplash.com/photos/Dwu85P9SOIk" },
          user: { name: "Jonatan Pie", links: { html: "https://unsplash.com/@r3dmax" } },
        },
      ],
    },
    expect: [
      '"alt_description":"green aurora borealis over a snowy mountain"',
      '"name":"Jonatan Pie"',
    ],
  },
};
