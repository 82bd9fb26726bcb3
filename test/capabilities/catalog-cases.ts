/**
 * One case per built-in capability: the arguments a model would pass, the request the real API
 * expects, and a response shaped like the real API's (trimmed to a few items).
 */
export interface CatalogCase {
  args: Record<string, unknown>;
  /** Secrets the capability needs (fake values). */
  env?: Record<string, string>;
  request: {
    method?: string;
    path: string;
    /** Query parameters that must be present with these values. */
    query?: Record<string, string>;
    /** Headers that must be present with these values. */
    headers?: Record<string, string>;
    /** The JSON body that must be sent. */
    body?: unknown;
  };
  response: unknown;
  status?: number;
  /** Text the tool result must contain. */
  expect: string[];
}

export const CATALOG_CASES: Record<string, CatalogCase> = {
  weather_forecast: {
    args: { latitude: 52.52, longitude: 13.41, days: 3 },
    request: {
      path: "/v1/forecast",
      query: { latitude: "52.52", longitude: "13.41", forecast_days: "3", timezone: "auto" },
    },
    response: {
      latitude: 52.52,
      longitude: 13.419998,
      generationtime_ms: 0.06,
      utc_offset_seconds: 3600,
      timezone: "Europe/Berlin",
      timezone_abbreviation: "GMT+1",
      elevation: 38,
      current_units: { time: "iso8601", interval: "seconds", temperature_2m: "°C" },
      current: { time: "2025-01-14T10:15", interval: 900, temperature_2m: 3.4, weather_code: 3 },
      daily_units: { time: "iso8601", temperature_2m_max: "°C" },
      daily: {
        time: ["2025-01-14", "2025-01-15", "2025-01-16"],
        temperature_2m_max: [4.1, 2.8, 1.9],
        temperature_2m_min: [-0.6, -2.1, -3.3],
      },
    },
    expect: ['"timezone":"Europe/Berlin"', '"temperature_2m_max":[4.1,2.8,1.9]'],
  },
  geocode_place: {
    args: { name: "Berlin" },
    request: {
      path: "/v1/search",
      query: { name: "Berlin", count: "5", language: "en", format: "json" },
    },
    response: {
      results: [
        {
          id: 2950159,
          name: "Berlin",
          latitude: 52.52437,
          longitude: 13.41053,
          elevation: 74,
          feature_code: "PPLC",
          country_code: "DE",
          timezone: "Europe/Berlin",
          population: 3426354,
          country: "Germany",
          admin1: "State of Berlin",
        },
      ],
      generationtime_ms: 0.9,
    },
    expect: ['"latitude":52.52437', '"country":"Germany"'],
  },
  air_quality: {
    args: { latitude: 48.85, longitude: 2.35 },
    request: { path: "/v1/air-quality", query: { latitude: "48.85", longitude: "2.35" } },
    response: {
      latitude: 48.9,
      longitude: 2.3,
      current_units: { time: "iso8601", european_aqi: "EAQI", pm2_5: "μg/m³" },
      current: {
        time: "2025-01-14T10:00",
        interval: 3600,
        european_aqi: 41,
        us_aqi: 58,
        pm2_5: 14.2,
      },
    },
    expect: ['"european_aqi":41'],
  },
  sunrise_sunset: {
    args: { latitude: 36.72, longitude: -4.42, date: "2025-06-21" },
    request: {
      path: "/json",
      query: { lat: "36.72", lng: "-4.42", date: "2025-06-21", formatted: "0" },
    },
    response: {
      results: {
        sunrise: "2025-06-21T05:00:52+00:00",
        sunset: "2025-06-21T19:40:31+00:00",
        solar_noon: "2025-06-21T12:20:41+00:00",
        day_length: 52779,
        civil_twilight_begin: "2025-06-21T04:31:46+00:00",
        civil_twilight_end: "2025-06-21T20:09:37+00:00",
      },
      status: "OK",
      tzid: "UTC",
    },
    expect: ['"sunrise":"2025-06-21T05:00:52+00:00"'],
  },
  earthquakes_recent: {
    args: { min_magnitude: 6 },
    request: {
      path: "/fdsnws/event/1/query",
      query: { format: "geojson", orderby: "time", minmagnitude: "6", limit: "20" },
    },
    response: {
      type: "FeatureCollection",
      metadata: { generated: 1736850000000, title: "USGS Earthquakes", status: 200, count: 1 },
      features: [
        {
          type: "Feature",
          properties: {
            mag: 6.8,
            place: "37 km SW of Hyūga, Japan",
            time: 1736771339000,
            tsunami: 1,
            type: "earthquake",
            title: "M 6.8 - 37 km SW of Hyūga, Japan",
          },
          geometry: { type: "Point", coordinates: [131.33, 31.83, 36] },
          id: "us6000pi9w",
        },
      ],
    },
    expect: ['"mag":6.8', "Hyūga"],
  },
  wikipedia_summary: {
    args: { title: "Alan Turing" },
    request: { path: "/api/rest_v1/page/summary/Alan%20Turing" },
    response: {
      type: "standard",
      title: "Alan Turing",
      displaytitle: "Alan Turing",
      pageid: 1208,
      lang: "en",
      description: "English computer scientist (1912–1954)",
      extract:
        "Alan Mathison Turing was an English mathematician, computer scientist, logician, cryptanalyst, philosopher and theoretical biologist.",
      content_urls: { desktop: { page: "https://en.wikipedia.org/wiki/Alan_Turing" } },
      timestamp: "2025-01-10T12:00:00Z",
    },
    expect: ["Alan Mathison Turing was an English mathematician"],
  },
  wikipedia_search: {
    args: { query: "enigma machine", limit: 2 },
    request: {
      path: "/w/api.php",
      query: {
        action: "query",
        list: "search",
        format: "json",
        srsearch: "enigma machine",
        srlimit: "2",
      },
    },
    response: {
      batchcomplete: "",
      continue: { sroffset: 2, continue: "-||" },
      query: {
        searchinfo: { totalhits: 3012 },
        search: [
          {
            ns: 0,
            title: "Enigma machine",
            pageid: 9256,
            size: 97310,
            wordcount: 11017,
            snippet: 'The <span class="searchmatch">Enigma</span> machine is a cipher device',
            timestamp: "2025-01-02T10:00:00Z",
          },
        ],
      },
    },
    expect: ['"totalhits":3012', '"title":"Enigma machine"'],
  },
  dictionary_define: {
    args: { word: "serendipity" },
    request: { path: "/api/v2/entries/en/serendipity" },
    response: [
      {
        word: "serendipity",
        phonetic: "/ˌsɛɹənˈdɪpɪti/",
        phonetics: [{ text: "/ˌsɛɹənˈdɪpɪti/", audio: "" }],
        meanings: [
          {
            partOfSpeech: "noun",
            definitions: [
              {
                definition:
                  "A combination of events which have come together by chance to make a surprisingly good or wonderful outcome.",
                synonyms: [],
                antonyms: [],
              },
            ],
            synonyms: ["chance", "fluke"],
            antonyms: [],
          },
        ],
        license: { name: "CC BY-SA 3.0", url: "https://creativecommons.org/licenses/by-sa/3.0" },
        sourceUrls: ["https://en.wiktionary.org/wiki/serendipity"],
      },
    ],
    expect: ['"partOfSpeech":"noun"', "surprisingly good"],
  },
  country_info: {
    args: { name: "germany" },
    request: { path: "/v3.1/name/germany", query: { fields: expectStartsWith("name,cca2") } },
    response: [
      {
        name: { common: "Germany", official: "Federal Republic of Germany" },
        cca2: "DE",
        cca3: "DEU",
        capital: ["Berlin"],
        region: "Europe",
        subregion: "Western Europe",
        population: 83240525,
        area: 357114,
        languages: { deu: "German" },
        currencies: { EUR: { name: "Euro", symbol: "€" } },
        timezones: ["UTC+01:00"],
        borders: ["AUT", "BEL", "CZE", "DNK", "FRA", "LUX", "NLD", "POL", "CHE"],
        flag: "🇩🇪",
      },
    ],
    expect: ['"capital":["Berlin"]', '"population":83240525'],
  },
  country_by_code: {
    args: { code: "JP" },
    request: { path: "/v3.1/alpha/JP" },
    response: [
      {
        name: { common: "Japan", official: "Japan" },
        cca2: "JP",
        cca3: "JPN",
        capital: ["Tokyo"],
        region: "Asia",
        subregion: "Eastern Asia",
        population: 125836021,
        area: 377930,
        languages: { jpn: "Japanese" },
        currencies: { JPY: { name: "Japanese yen", symbol: "¥" } },
        idd: { root: "+8", suffixes: ["1"] },
        timezones: ["UTC+09:00"],
        flag: "🇯🇵",
      },
    ],
    expect: ['"capital":["Tokyo"]', "Japanese yen"],
  },
  zip_code_lookup: {
    args: { country: "us", postal_code: "90210" },
    request: { path: "/us/90210" },
    response: {
      "post code": "90210",
      country: "United States",
      "country abbreviation": "US",
      places: [
        {
          "place name": "Beverly Hills",
          longitude: "-118.4065",
          state: "California",
          "state abbreviation": "CA",
          latitude: "34.0901",
        },
      ],
    },
    expect: ['"place name":"Beverly Hills"'],
  },
  hackernews_stories: {
    args: { list: "best" },
    request: { path: "/v0/beststories.json" },
    response: [42648302, 42654410, 42651107, 42649887],
    expect: ["[42648302,42654410,42651107,42649887]"],
  },
  hackernews_item: {
    args: { id: 8863 },
    request: { path: "/v0/item/8863.json" },
    response: {
      by: "dhouston",
      descendants: 71,
      id: 8863,
      kids: [8952, 9224, 8917],
      score: 111,
      time: 1175714200,
      title: "My YC app: Dropbox - Throw away your USB drive",
      type: "story",
      url: "http://www.getdropbox.com/u/2/screencast.html",
    },
    expect: ['"by":"dhouston"', "Dropbox"],
  },
  hackernews_user: {
    args: { username: "jl" },
    request: { path: "/v0/user/jl.json" },
    response: {
      about: "This is a test",
      created: 1173923446,
      id: "jl",
      karma: 2937,
      submitted: [8265435, 8168423, 8090946],
    },
    expect: ['"karma":2937'],
  },
  hackernews_search: {
    args: { query: "rust compiler", limit: 2 },
    request: {
      path: "/api/v1/search",
      query: { query: "rust compiler", tags: "story", hitsPerPage: "2" },
    },
    response: {
      hits: [
        {
          objectID: "41612437",
          title: "The Rust compiler is now faster",
          url: "https://blog.rust-lang.org/",
          author: "steveklabnik",
          points: 312,
          num_comments: 120,
          created_at: "2024-09-22T10:00:00Z",
          _tags: ["story", "author_steveklabnik", "story_41612437"],
        },
      ],
      nbHits: 1893,
      page: 0,
      nbPages: 50,
      hitsPerPage: 2,
      query: "rust compiler",
      processingTimeMS: 3,
    },
    expect: ['"points":312', '"nbHits":1893'],
  },
  exchange_rates: {
    args: { from: "USD", to: "EUR,GBP", amount: 10 },
    request: { path: "/latest", query: { from: "USD", to: "EUR,GBP", amount: "10" } },
    response: {
      amount: 10.0,
      base: "USD",
      date: "2025-01-13",
      rates: { EUR: 9.7723, GBP: 8.1936 },
    },
    expect: ['"base":"USD"', '"EUR":9.7723'],
  },
  public_holidays: {
    args: { year: 2025, country_code: "DE" },
    request: { path: "/api/v3/PublicHolidays/2025/DE" },
    response: [
      {
        date: "2025-01-01",
        localName: "Neujahr",
        name: "New Year's Day",
        countryCode: "DE",
        fixed: true,
        global: true,
        counties: null,
        launchYear: 1967,
        types: ["Public"],
      },
      {
        date: "2025-10-03",
        localName: "Tag der Deutschen Einheit",
        name: "German Unity Day",
        countryCode: "DE",
        fixed: true,
        global: true,
        counties: null,
        launchYear: null,
        types: ["Public"],
      },
    ],
    expect: ["German Unity Day"],
  },
  wayback_availability: {
    args: { url: "example.com", timestamp: "20060101" },
    request: { path: "/wayback/available", query: { url: "example.com", timestamp: "20060101" } },
    response: {
      url: "example.com",
      archived_snapshots: {
        closest: {
          status: "200",
          available: true,
          url: "http://web.archive.org/web/20060101064348/http://www.example.com:80/",
          timestamp: "20060101064348",
        },
      },
    },
    expect: ['"timestamp":"20060101064348"'],
  },
  npm_package: {
    args: { name: "@types/node" },
    request: { path: "/@types/node/latest" },
    response: {
      name: "@types/node",
      version: "22.10.5",
      description: "TypeScript definitions for node",
      license: "MIT",
      homepage: "https://github.com/DefinitelyTyped/DefinitelyTyped/tree/master/types/node",
      repository: { type: "git", url: "https://github.com/DefinitelyTyped/DefinitelyTyped.git" },
      dependencies: { "undici-types": "~6.20.0" },
      dist: {
        fileCount: 80,
        unpackedSize: 2246342,
        tarball: "https://registry.npmjs.org/@types/node/-/node-22.10.5.tgz",
      },
    },
    expect: ['"version":"22.10.5"'],
  },
  npm_search: {
    args: { text: "yaml parser", size: 2 },
    request: { path: "/-/v1/search", query: { text: "yaml parser", size: "2" } },
    response: {
      objects: [
        {
          package: {
            name: "yaml",
            version: "2.7.0",
            description: "JavaScript parser and stringifier for YAML",
            keywords: ["YAML", "parser", "stringifier"],
            date: "2025-01-01T00:00:00.000Z",
            links: { npm: "https://www.npmjs.com/package/yaml" },
            publisher: { username: "eemeli" },
          },
          score: { final: 0.93, detail: { quality: 0.9, popularity: 0.9, maintenance: 1 } },
          searchScore: 100.2,
        },
      ],
      total: 2198,
      time: "Tue Jan 14 2025 10:00:00 GMT+0000",
    },
    expect: ['"name":"yaml"', '"total":2198'],
  },
  npm_downloads: {
    args: { package: "@types/node", period: "last-month" },
    request: { path: "/downloads/point/last-month/@types/node" },
    response: {
      downloads: 163114311,
      start: "2024-12-14",
      end: "2025-01-12",
      package: "@types/node",
    },
    expect: ['"downloads":163114311'],
  },
  pypi_package: {
    args: { name: "requests" },
    request: { path: "/pypi/requests/json" },
    response: {
      info: {
        name: "requests",
        version: "2.32.3",
        summary: "Python HTTP for Humans.",
        license: "Apache-2.0",
        requires_python: ">=3.8",
        author: "Kenneth Reitz",
        project_urls: { Source: "https://github.com/psf/requests" },
      },
      last_serial: 24000000,
      releases: { "2.32.3": [{ filename: "requests-2.32.3.tar.gz" }] },
      urls: [{ filename: "requests-2.32.3-py3-none-any.whl" }],
    },
    expect: ['"summary":"Python HTTP for Humans."', '"requires_python":">=3.8"'],
  },
  crates_package: {
    args: { name: "serde" },
    request: { path: "/api/v1/crates/serde" },
    response: {
      crate: {
        id: "serde",
        name: "serde",
        description: "A generic serialization/deserialization framework",
        max_version: "1.0.217",
        max_stable_version: "1.0.217",
        downloads: 489000000,
        recent_downloads: 71000000,
        repository: "https://github.com/serde-rs/serde",
        documentation: "https://docs.rs/serde",
        created_at: "2014-12-05T20:20:39.487502Z",
        updated_at: "2024-12-27T20:34:35.000000Z",
      },
      versions: [{ id: 1, num: "1.0.217" }],
      keywords: [{ id: "serde" }],
      categories: [{ id: "encoding" }],
    },
    expect: ['"max_stable_version":"1.0.217"'],
  },
  rubygems_gem: {
    args: { name: "rails" },
    request: { path: "/api/v1/gems/rails.json" },
    response: {
      name: "rails",
      downloads: 605000000,
      version: "8.0.1",
      version_created_at: "2024-12-13T00:00:00.000Z",
      authors: "David Heinemeier Hansson",
      info: "Ruby on Rails is a full-stack web framework.",
      licenses: ["MIT"],
      project_uri: "https://rubygems.org/gems/rails",
      source_code_uri: "https://github.com/rails/rails/tree/v8.0.1",
      dependencies: {
        development: [],
        runtime: [{ name: "actioncable", requirements: "= 8.0.1" }],
      },
    },
    expect: ['"version":"8.0.1"', "actioncable"],
  },
  docker_hub_tags: {
    args: { repository: "postgres", name: "alpine", limit: 2 },
    request: {
      path: "/v2/repositories/library/postgres/tags",
      query: { page_size: "2", name: "alpine", ordering: "last_updated" },
    },
    response: {
      count: 412,
      next: "https://hub.docker.com/v2/repositories/library/postgres/tags?page=2&page_size=2",
      previous: null,
      results: [
        {
          name: "17-alpine",
          last_updated: "2025-01-10T05:12:03.123Z",
          full_size: 105512345,
          digest: "sha256:0f31b4c3a8f7c2e1",
          images: [{ architecture: "amd64", os: "linux", size: 105512345 }],
        },
      ],
    },
    expect: ['"name":"17-alpine"'],
  },
  deps_dev_package: {
    args: { system: "npm", name: "@babel/core" },
    request: { path: "/v3/systems/npm/packages/%40babel%2Fcore" },
    response: {
      packageKey: { system: "NPM", name: "@babel/core" },
      versions: [
        {
          versionKey: { system: "NPM", name: "@babel/core", version: "7.26.0" },
          publishedAt: "2024-10-25T13:30:00Z",
          isDefault: true,
        },
      ],
    },
    expect: ['"isDefault":true', '"version":"7.26.0"'],
  },
  osv_query: {
    args: { ecosystem: "npm", name: "lodash", version: "4.17.20" },
    request: {
      method: "POST",
      path: "/v1/query",
      body: { package: { ecosystem: "npm", name: "lodash" }, version: "4.17.20" },
      headers: { "content-type": "application/json" },
    },
    response: {
      vulns: [
        {
          id: "GHSA-35jh-r3h4-6jhm",
          summary: "Command Injection in lodash",
          aliases: ["CVE-2021-23337"],
          modified: "2024-01-01T00:00:00Z",
          published: "2021-02-15T00:00:00Z",
          severity: [{ type: "CVSS_V3", score: "CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H" }],
        },
      ],
    },
    expect: ["CVE-2021-23337"],
  },
  endoflife_product: {
    args: { product: "nodejs" },
    request: { path: "/api/nodejs.json" },
    response: [
      {
        cycle: "22",
        releaseDate: "2024-04-24",
        eol: "2027-04-30",
        latest: "22.13.0",
        latestReleaseDate: "2025-01-07",
        lts: "2024-10-29",
        support: "2025-10-21",
      },
      {
        cycle: "20",
        releaseDate: "2023-04-18",
        eol: "2026-04-30",
        latest: "20.18.1",
        lts: "2023-10-24",
      },
    ],
    expect: ['"eol":"2027-04-30"'],
  },
  github_repo: {
    args: { owner: "oven-sh", repo: "bun" },
    request: {
      path: "/repos/oven-sh/bun",
      headers: { accept: "application/vnd.github+json", "x-github-api-version": "2022-11-28" },
    },
    response: {
      id: 357728969,
      name: "bun",
      full_name: "oven-sh/bun",
      owner: { login: "oven-sh", type: "Organization" },
      description:
        "Incredibly fast JavaScript runtime, bundler, test runner, and package manager – all in one",
      html_url: "https://github.com/oven-sh/bun",
      stargazers_count: 75123,
      forks_count: 2790,
      open_issues_count: 5012,
      language: "Zig",
      license: { key: "other", spdx_id: "NOASSERTION" },
      topics: ["bun", "javascript", "runtime"],
      default_branch: "main",
      pushed_at: "2025-01-14T09:00:00Z",
    },
    expect: ['"stargazers_count":75123'],
  },
  github_search_repos: {
    args: { query: "mcp language:typescript", sort: "stars", limit: 1 },
    request: {
      path: "/search/repositories",
      query: { q: "mcp language:typescript", sort: "stars", per_page: "1" },
    },
    response: {
      total_count: 8123,
      incomplete_results: false,
      items: [
        {
          id: 1,
          full_name: "modelcontextprotocol/typescript-sdk",
          description: "The official TypeScript SDK for Model Context Protocol servers and clients",
          stargazers_count: 9000,
          language: "TypeScript",
        },
      ],
    },
    expect: ['"total_count":8123', "typescript-sdk"],
  },
  github_latest_release: {
    args: { owner: "biomejs", repo: "biome" },
    request: { path: "/repos/biomejs/biome/releases/latest" },
    response: {
      id: 193000000,
      tag_name: "cli/v1.9.4",
      name: "CLI v1.9.4",
      draft: false,
      prerelease: false,
      published_at: "2024-10-17T14:00:00Z",
      html_url: "https://github.com/biomejs/biome/releases/tag/cli%2Fv1.9.4",
      body: "## CLI\n\n### Bug fixes\n- Fix a crash",
      assets: [
        { name: "biome-linux-x64", size: 25000000, browser_download_url: "https://github.com/x" },
      ],
    },
    expect: ['"tag_name":"cli/v1.9.4"'],
  },
  gitlab_project: {
    args: { project: "gitlab-org/gitlab" },
    request: { path: "/api/v4/projects/gitlab-org%2Fgitlab" },
    response: {
      id: 278964,
      name: "GitLab",
      path_with_namespace: "gitlab-org/gitlab",
      description: "GitLab is an open source end-to-end software development platform.",
      web_url: "https://gitlab.com/gitlab-org/gitlab",
      star_count: 4500,
      forks_count: 10500,
      default_branch: "master",
      topics: ["devops"],
      last_activity_at: "2025-01-14T10:00:00.000Z",
    },
    expect: ['"path_with_namespace":"gitlab-org/gitlab"'],
  },
  openlibrary_search: {
    args: { title: "dune", author: "herbert", limit: 1 },
    request: { path: "/search.json", query: { title: "dune", author: "herbert", limit: "1" } },
    response: {
      numFound: 118,
      start: 0,
      numFoundExact: true,
      docs: [
        {
          key: "/works/OL893415W",
          title: "Dune",
          author_name: ["Frank Herbert"],
          first_publish_year: 1965,
          edition_count: 120,
          isbn: ["9780441013593"],
        },
      ],
      q: "",
      offset: null,
    },
    expect: ['"first_publish_year":1965'],
  },
  crossref_works: {
    args: { query: "attention is all you need", rows: 1 },
    request: { path: "/works", query: { query: "attention is all you need", rows: "1" } },
    response: {
      status: "ok",
      "message-type": "work-list",
      "message-version": "1.0.0",
      message: {
        facets: {},
        "total-results": 1532,
        items: [
          {
            DOI: "10.48550/arxiv.1706.03762",
            title: ["Attention Is All You Need"],
            author: [{ given: "Ashish", family: "Vaswani" }],
            type: "posted-content",
            "is-referenced-by-count": 1500,
          },
        ],
        "items-per-page": 1,
        query: { "start-index": 0, "search-terms": "attention is all you need" },
      },
    },
    expect: ['"DOI":"10.48550/arxiv.1706.03762"', '"total-results":1532'],
  },
  openalex_works: {
    args: { query: "crispr", limit: 1, filter: "publication_year:2020" },
    request: {
      path: "/works",
      query: { search: "crispr", per_page: "1", filter: "publication_year:2020" },
    },
    response: {
      meta: { count: 24012, db_response_time_ms: 40, page: 1, per_page: 1 },
      results: [
        {
          id: "https://openalex.org/W3004",
          doi: "https://doi.org/10.1038/s41586-020-2008-3",
          title: "CRISPR–Cas guide RNA design",
          publication_year: 2020,
          cited_by_count: 812,
          open_access: { is_oa: true },
          authorships: [{ author: { display_name: "Jane Doe" } }],
        },
      ],
      group_by: [],
    },
    expect: ['"cited_by_count":812'],
  },
  semantic_scholar_search: {
    args: { query: "graph neural networks", limit: 1 },
    request: {
      path: "/graph/v1/paper/search",
      query: { query: "graph neural networks", limit: "1", fields: expectStartsWith("title,year") },
    },
    response: {
      total: 84231,
      offset: 0,
      next: 1,
      data: [
        {
          paperId: "36eff562f65125511b5dfab68ce7f7a943c27478",
          title: "Semi-Supervised Classification with Graph Convolutional Networks",
          year: 2016,
          authors: [{ authorId: "3422", name: "Thomas Kipf" }],
          citationCount: 25000,
          venue: "ICLR",
          url: "https://www.semanticscholar.org/paper/36eff562",
          abstract: null,
        },
      ],
    },
    expect: ["Graph Convolutional Networks"],
  },
  musicbrainz_artist_search: {
    args: { query: "radiohead", limit: 1 },
    request: { path: "/ws/2/artist", query: { query: "radiohead", limit: "1", fmt: "json" } },
    response: {
      created: "2025-01-14T10:00:00.000Z",
      count: 12,
      offset: 0,
      artists: [
        {
          id: "a74b1b7f-71a5-4011-9441-d0b5e4122711",
          type: "Group",
          score: 100,
          name: "Radiohead",
          "sort-name": "Radiohead",
          country: "GB",
          "life-span": { begin: "1991", ended: null },
          tags: [{ count: 20, name: "alternative rock" }],
        },
      ],
    },
    expect: ['"country":"GB"', "a74b1b7f-71a5-4011-9441-d0b5e4122711"],
  },
  openfoodfacts_product: {
    args: { barcode: "3017624010701" },
    request: {
      path: "/api/v2/product/3017624010701.json",
      query: { fields: expectStartsWith("product_name") },
    },
    response: {
      code: "3017624010701",
      product: {
        product_name: "Nutella",
        brands: "Ferrero",
        quantity: "400 g",
        nutriscore_grade: "e",
        nutriments: { "energy-kcal_100g": 539, sugars_100g: 56.3, fat_100g: 30.9 },
        allergens_tags: ["en:milk", "en:nuts", "en:soybeans"],
      },
      status: 1,
      status_verbose: "product found",
    },
    expect: ['"product_name":"Nutella"', '"nutriscore_grade":"e"'],
  },
  worldbank_indicator: {
    args: { country: "BR", indicator: "SP.POP.TOTL", date: "2022:2023" },
    request: {
      path: "/v2/country/BR/indicator/SP.POP.TOTL",
      query: { date: "2022:2023", format: "json", per_page: "20" },
    },
    response: [
      { page: 1, pages: 1, per_page: 20, total: 2, sourceid: "2", lastupdated: "2024-12-16" },
      [
        {
          indicator: { id: "SP.POP.TOTL", value: "Population, total" },
          country: { id: "BR", value: "Brazil" },
          countryiso3code: "BRA",
          date: "2023",
          value: 211140729,
          unit: "",
          obs_status: "",
          decimal: 0,
        },
      ],
    ],
    expect: ['"value":211140729'],
  },
  github_create_issue: {
    args: { owner: "acme", repo: "app", title: "Crash on start", labels: ["bug"] },
    env: { GITHUB_TOKEN: "ghp_testtoken123" },
    request: {
      method: "POST",
      path: "/repos/acme/app/issues",
      headers: { authorization: "Bearer ghp_testtoken123" },
      body: { title: "Crash on start", labels: ["bug"] },
    },
    status: 201,
    response: {
      id: 1,
      number: 1347,
      state: "open",
      title: "Crash on start",
      html_url: "https://github.com/acme/app/issues/1347",
      labels: [{ name: "bug" }],
    },
    expect: ['"number":1347'],
  },
  openweather_current: {
    args: { city: "London,GB" },
    env: { OPENWEATHER_API_KEY: "owm-test-key" },
    request: {
      path: "/data/2.5/weather",
      query: { q: "London,GB", units: "metric", appid: "owm-test-key" },
    },
    response: {
      coord: { lon: -0.1257, lat: 51.5085 },
      weather: [{ id: 803, main: "Clouds", description: "broken clouds", icon: "04d" }],
      main: {
        temp: 7.2,
        feels_like: 4.9,
        temp_min: 6.1,
        temp_max: 8.3,
        pressure: 1021,
        humidity: 81,
      },
      wind: { speed: 4.1, deg: 240 },
      dt: 1736848800,
      sys: { country: "GB", sunrise: 1736841700, sunset: 1736871700 },
      timezone: 0,
      name: "London",
      cod: 200,
    },
    expect: ['"description":"broken clouds"'],
  },
  nasa_apod: {
    args: { date: "2025-01-01" },
    env: { NASA_API_KEY: "nasa-test-key" },
    request: { path: "/planetary/apod", query: { date: "2025-01-01", api_key: "nasa-test-key" } },
    response: {
      date: "2025-01-01",
      explanation: "What's happening to this spiral galaxy?",
      hdurl: "https://apod.nasa.gov/apod/image/2501/galaxy.jpg",
      media_type: "image",
      service_version: "v1",
      title: "A Spiral Galaxy",
      url: "https://apod.nasa.gov/apod/image/2501/galaxy1024.jpg",
    },
    expect: ['"title":"A Spiral Galaxy"'],
  },
  brave_web_search: {
    args: { query: "bun runtime", count: 1 },
    env: { BRAVE_API_KEY: "brave-test-key" },
    request: {
      path: "/res/v1/web/search",
      query: { q: "bun runtime", count: "1" },
      headers: { "x-subscription-token": "brave-test-key" },
    },
    response: {
      type: "search",
      query: { original: "bun runtime" },
      web: {
        type: "search",
        results: [
          {
            title: "Bun — A fast all-in-one JavaScript runtime",
            url: "https://bun.sh/",
            description: "Bundle, install and run JavaScript",
          },
        ],
      },
    },
    expect: ['"url":"https://bun.sh/"'],
  },
  tavily_search: {
    args: { query: "latest MCP spec" },
    env: { TAVILY_API_KEY: "tvly-test-key" },
    request: {
      method: "POST",
      path: "/search",
      headers: { authorization: "Bearer tvly-test-key" },
      body: {
        query: "latest MCP spec",
        max_results: 5,
        search_depth: "basic",
        include_answer: true,
      },
    },
    response: {
      query: "latest MCP spec",
      answer: "The latest Model Context Protocol specification is 2025-11-25.",
      results: [
        {
          title: "Specification",
          url: "https://modelcontextprotocol.io/specification",
          content: "MCP spec",
          score: 0.98,
        },
      ],
      response_time: 1.2,
    },
    expect: ["2025-11-25"],
  },
  newsapi_top_headlines: {
    args: { country: "us", category: "technology", page_size: 1 },
    env: { NEWSAPI_KEY: "news-test-key" },
    request: {
      path: "/v2/top-headlines",
      query: { country: "us", category: "technology", pageSize: "1" },
      headers: { "x-api-key": "news-test-key" },
    },
    response: {
      status: "ok",
      totalResults: 34,
      articles: [
        {
          source: { id: "the-verge", name: "The Verge" },
          author: "A Writer",
          title: "A new chip arrives",
          description: "It is fast.",
          url: "https://www.theverge.com/chip",
          publishedAt: "2025-01-14T09:00:00Z",
          content: "It is fast. [+1200 chars]",
        },
      ],
    },
    expect: ['"totalResults":34'],
  },
  slack_post_message: {
    args: { channel: "C024BE91L", text: "Deploy finished" },
    env: { SLACK_BOT_TOKEN: "xoxb-test-token" },
    request: {
      method: "POST",
      path: "/api/chat.postMessage",
      headers: {
        authorization: "Bearer xoxb-test-token",
        "content-type": "application/json; charset=utf-8",
      },
      body: { channel: "C024BE91L", text: "Deploy finished" },
    },
    response: {
      ok: true,
      channel: "C024BE91L",
      ts: "1736848800.000200",
      message: { type: "message", text: "Deploy finished", bot_id: "B123" },
    },
    expect: ['"ts":"1736848800.000200"'],
  },
  notion_search: {
    args: { query: "roadmap" },
    env: { NOTION_TOKEN: "secret_notiontest" },
    request: {
      method: "POST",
      path: "/v1/search",
      headers: { authorization: "Bearer secret_notiontest", "notion-version": "2022-06-28" },
      body: { query: "roadmap", page_size: 10 },
    },
    response: {
      object: "list",
      results: [
        {
          object: "page",
          id: "59833787-2cf9-4fdf-8782-e53db20768a5",
          last_edited_time: "2025-01-10T12:00:00.000Z",
          url: "https://www.notion.so/Roadmap-59833787",
        },
      ],
      next_cursor: null,
      has_more: false,
      type: "page_or_database",
    },
    expect: ["Roadmap-59833787"],
  },
  stripe_balance: {
    args: {},
    env: { STRIPE_SECRET_KEY: "rk_test_abc123" },
    request: { path: "/v1/balance", headers: { authorization: "Bearer rk_test_abc123" } },
    response: {
      object: "balance",
      available: [{ amount: 152300, currency: "usd", source_types: { card: 152300 } }],
      livemode: false,
      pending: [{ amount: 4200, currency: "usd", source_types: { card: 4200 } }],
    },
    expect: ['"amount":152300'],
  },
  omdb_movie: {
    args: { title: "Blade Runner", year: 1982 },
    env: { OMDB_API_KEY: "omdb-test" },
    request: {
      path: "/",
      query: { t: "Blade Runner", y: "1982", plot: "short", apikey: "omdb-test" },
    },
    response: {
      Title: "Blade Runner",
      Year: "1982",
      Rated: "R",
      Runtime: "117 min",
      Genre: "Action, Drama, Sci-Fi",
      Director: "Ridley Scott",
      Plot: "A blade runner must pursue and terminate four replicants.",
      imdbRating: "8.1",
      imdbID: "tt0083658",
      Response: "True",
    },
    expect: ['"Director":"Ridley Scott"'],
  },
  deepl_translate: {
    args: { text: "Hello, world", target_lang: "DE" },
    env: { DEEPL_AUTH_KEY: "deepl-test:fx" },
    request: {
      method: "POST",
      path: "/v2/translate",
      headers: { authorization: "DeepL-Auth-Key deepl-test:fx" },
      body: { text: ["Hello, world"], target_lang: "DE" },
    },
    response: { translations: [{ detected_source_language: "EN", text: "Hallo, Welt" }] },
    expect: ["Hallo, Welt"],
  },
  alphavantage_quote: {
    args: { symbol: "IBM" },
    env: { ALPHAVANTAGE_API_KEY: "av-test" },
    request: {
      path: "/query",
      query: { function: "GLOBAL_QUOTE", symbol: "IBM", apikey: "av-test" },
    },
    response: {
      "Global Quote": {
        "01. symbol": "IBM",
        "02. open": "218.0000",
        "05. price": "219.9100",
        "07. latest trading day": "2025-01-13",
        "08. previous close": "217.8000",
        "09. change": "2.1100",
        "10. change percent": "0.9688%",
      },
    },
    expect: ['"05. price":"219.9100"'],
  },
  linear_my_issues: {
    args: { limit: 2 },
    env: { LINEAR_API_KEY: "lin_api_test" },
    request: {
      method: "POST",
      path: "/graphql",
      headers: { authorization: "lin_api_test" },
    },
    response: {
      data: {
        viewer: {
          assignedIssues: {
            nodes: [
              {
                identifier: "ENG-123",
                title: "Fix login",
                priority: 2,
                url: "https://linear.app/acme/issue/ENG-123",
                state: { name: "In Progress" },
              },
            ],
          },
        },
      },
    },
    expect: ['"identifier":"ENG-123"'],
  },
  // Developer tools (code hosting, registries, docs, security, operations).
  github_search_issues: {
    args: { query: "repo:oven-sh/bun is:issue is:open segfault", sort: "comments", limit: 2 },
    request: {
      path: "/search/issues",
      query: { q: "repo:oven-sh/bun is:issue is:open segfault", sort: "comments", per_page: "2" },
      headers: { accept: "application/vnd.github+json" },
    },
    response: {
      total_count: 41,
      incomplete_results: false,
      items: [
        {
          number: 9876,
          title: "Segfault when running tests with --coverage",
          state: "open",
          comments: 23,
          labels: [{ name: "bug" }, { name: "crash" }],
          html_url: "https://github.com/oven-sh/bun/issues/9876",
          user: { login: "someone" },
        },
      ],
    },
    expect: ['"total_count":41', "Segfault when running tests"],
  },
  github_pull_requests: {
    args: { owner: "facebook", repo: "react", base: "main", limit: 5 },
    request: {
      path: "/repos/facebook/react/pulls",
      query: { state: "open", base: "main", sort: "created", direction: "desc", per_page: "5" },
    },
    response: [
      {
        number: 31234,
        title: "Fix hydration mismatch warning for text nodes",
        state: "open",
        draft: false,
        user: { login: "contributor" },
        head: { ref: "fix-hydration" },
        base: { ref: "main" },
        html_url: "https://github.com/facebook/react/pull/31234",
        created_at: "2025-01-10T09:00:00Z",
      },
    ],
    expect: ['"number":31234', '"draft":false'],
  },
  github_file_contents: {
    args: { owner: "oven-sh", repo: "bun", path: "docs/cli/test.md", ref: "main" },
    request: {
      path: "/repos/oven-sh/bun/contents/docs/cli/test.md",
      query: { ref: "main" },
      headers: { accept: "application/vnd.github.raw+json" },
    },
    response: "# bun test\n\nBun ships with a fast, built-in, Jest-compatible test runner.\n",
    expect: ["Jest-compatible test runner"],
  },
  github_user: {
    args: { username: "torvalds" },
    request: { path: "/users/torvalds" },
    response: {
      login: "torvalds",
      id: 1024025,
      type: "User",
      name: "Linus Torvalds",
      company: "Linux Foundation",
      location: "Portland, OR",
      public_repos: 8,
      followers: 230000,
      created_at: "2011-09-03T15:26:22Z",
    },
    expect: ['"name":"Linus Torvalds"', '"followers":230000'],
  },
  github_releases: {
    args: { owner: "nodejs", repo: "node", limit: 2 },
    request: { path: "/repos/nodejs/node/releases", query: { per_page: "2" } },
    response: [
      {
        tag_name: "v23.6.0",
        name: "2025-01-07, Version 23.6.0 (Current)",
        prerelease: false,
        draft: false,
        published_at: "2025-01-07T18:00:00Z",
        body: "### Notable Changes\n\n* Unflag --experimental-strip-types",
        assets: [],
      },
    ],
    expect: ['"tag_name":"v23.6.0"', "experimental-strip-types"],
  },
  github_code_search: {
    args: { query: "createServer org:oven-sh language:typescript", limit: 3 },
    env: { GITHUB_TOKEN: "ghp_codesearch" },
    request: {
      path: "/search/code",
      query: { q: "createServer org:oven-sh language:typescript", per_page: "3" },
      headers: { authorization: "Bearer ghp_codesearch" },
    },
    response: {
      total_count: 2,
      items: [
        {
          name: "server.ts",
          path: "examples/http/server.ts",
          html_url: "https://github.com/oven-sh/bun/blob/main/examples/http/server.ts",
          repository: { full_name: "oven-sh/bun" },
        },
      ],
    },
    expect: ['"path":"examples/http/server.ts"'],
  },
  github_workflow_runs: {
    args: { owner: "oven-sh", repo: "bun", branch: "main", status: "failure", limit: 3 },
    request: {
      path: "/repos/oven-sh/bun/actions/runs",
      query: { branch: "main", status: "failure", per_page: "3" },
    },
    response: {
      total_count: 1,
      workflow_runs: [
        {
          id: 12345678901,
          name: "CI",
          head_branch: "main",
          head_sha: "a1b2c3d",
          event: "push",
          status: "completed",
          conclusion: "failure",
          html_url: "https://github.com/oven-sh/bun/actions/runs/12345678901",
        },
      ],
    },
    expect: ['"conclusion":"failure"', '"name":"CI"'],
  },
  github_commits: {
    args: { owner: "torvalds", repo: "linux", path: "kernel/sched", limit: 1 },
    request: {
      path: "/repos/torvalds/linux/commits",
      query: { path: "kernel/sched", per_page: "1" },
    },
    response: [
      {
        sha: "f1e2d3c4b5a6978877665544332211aabbccddee",
        commit: {
          message: "sched/fair: Fix load balancing on asymmetric systems",
          author: { name: "A Developer", date: "2025-01-12T10:00:00Z" },
        },
        html_url: "https://github.com/torvalds/linux/commit/f1e2d3c4",
      },
    ],
    expect: ["sched/fair: Fix load balancing"],
  },
  github_issue: {
    args: { owner: "microsoft", repo: "vscode", number: 4321 },
    request: { path: "/repos/microsoft/vscode/issues/4321" },
    response: {
      number: 4321,
      title: "Terminal loses focus after running a task",
      state: "closed",
      labels: [{ name: "terminal" }],
      assignees: [{ login: "maintainer" }],
      comments: 7,
      body: "Steps to reproduce: run any task, the terminal loses focus.",
    },
    expect: ['"state":"closed"', "Steps to reproduce"],
  },
  gitlab_issues: {
    args: { project: "gitlab-org/gitlab-runner", search: "timeout", labels: "bug" },
    request: {
      path: "/api/v4/projects/gitlab-org%2Fgitlab-runner/issues",
      query: { state: "opened", search: "timeout", labels: "bug", per_page: "20" },
    },
    response: [
      {
        iid: 3712,
        title: "Job times out while uploading artifacts",
        state: "opened",
        labels: ["bug", "artifacts"],
        web_url: "https://gitlab.com/gitlab-org/gitlab-runner/-/issues/3712",
      },
    ],
    expect: ['"iid":3712'],
  },
  stackexchange_search: {
    args: { query: "No module named distutils", tagged: "python", accepted: true, limit: 3 },
    request: {
      path: "/2.3/search/advanced",
      query: {
        q: "No module named distutils",
        tagged: "python",
        accepted: "true",
        site: "stackoverflow",
        pagesize: "3",
        order: "desc",
        sort: "relevance",
      },
    },
    response: {
      items: [
        {
          question_id: 77233855,
          title: "Why did I get an error ModuleNotFoundError: No module named 'distutils'?",
          tags: ["python", "pip"],
          score: 412,
          answer_count: 12,
          is_answered: true,
          accepted_answer_id: 77233866,
          link: "https://stackoverflow.com/questions/77233855",
        },
      ],
      has_more: true,
      quota_remaining: 290,
    },
    expect: ['"question_id":77233855', '"score":412'],
  },
  packagist_search: {
    args: { query: "pdf generator", limit: 2 },
    request: { path: "/search.json", query: { q: "pdf generator", per_page: "2" } },
    response: {
      results: [
        {
          name: "dompdf/dompdf",
          description: "DOMPDF is a CSS 2.1 compliant HTML to PDF converter",
          url: "https://packagist.org/packages/dompdf/dompdf",
          repository: "https://github.com/dompdf/dompdf",
          downloads: 150000000,
          favers: 10500,
        },
      ],
      total: 812,
    },
    expect: ['"name":"dompdf/dompdf"'],
  },
  maven_central_search: {
    args: { query: "g:com.google.guava AND a:guava", core: "gav", limit: 3 },
    request: {
      path: "/solrsearch/select",
      query: { q: "g:com.google.guava AND a:guava", core: "gav", rows: "3", wt: "json" },
    },
    response: {
      responseHeader: { status: 0, QTime: 2 },
      response: {
        numFound: 120,
        start: 0,
        docs: [
          {
            id: "com.google.guava:guava:33.4.0-jre",
            g: "com.google.guava",
            a: "guava",
            v: "33.4.0-jre",
            p: "bundle",
            timestamp: 1734567890000,
          },
        ],
      },
    },
    expect: ['"v":"33.4.0-jre"', '"numFound":120'],
  },
  nuget_search: {
    args: { query: "json serializer", limit: 2 },
    request: {
      path: "/query",
      query: { q: "json serializer", prerelease: "false", take: "2", semVerLevel: "2.0.0" },
    },
    response: {
      totalHits: 3100,
      data: [
        {
          id: "Newtonsoft.Json",
          version: "13.0.3",
          description: "Json.NET is a popular high-performance JSON framework for .NET",
          totalDownloads: 5200000000,
          verified: true,
        },
      ],
    },
    expect: ['"id":"Newtonsoft.Json"', '"verified":true'],
  },
  go_module_latest: {
    args: { module: "github.com/gin-gonic/gin" },
    request: { path: "/github.com/gin-gonic/gin/@latest" },
    response: {
      Version: "v1.10.0",
      Time: "2024-05-07T03:21:05Z",
      Origin: {
        VCS: "git",
        URL: "https://github.com/gin-gonic/gin",
        Ref: "refs/tags/v1.10.0",
        Hash: "75ccf94d605a05fe24817fc2f166f6f2959d5cea",
      },
    },
    expect: ['"Version":"v1.10.0"'],
  },
  hex_package: {
    args: { name: "phoenix" },
    request: { path: "/api/packages/phoenix" },
    response: {
      name: "phoenix",
      latest_stable_version: "1.7.18",
      meta: {
        description: "Peace of mind from prototype to production",
        licenses: ["MIT"],
        links: { GitHub: "https://github.com/phoenixframework/phoenix" },
      },
      downloads: { all: 120000000, recent: 1900000 },
      releases: [{ version: "1.7.18", url: "https://hex.pm/api/packages/phoenix/releases/1.7.18" }],
    },
    expect: ['"latest_stable_version":"1.7.18"'],
  },
  homebrew_formula: {
    args: { name: "postgresql@16" },
    request: { path: "/api/formula/postgresql@16.json" },
    response: {
      name: "postgresql@16",
      desc: "Object-relational database system",
      homepage: "https://www.postgresql.org/",
      license: "PostgreSQL",
      versions: { stable: "16.6", head: null, bottle: true },
      dependencies: ["icu4c@76", "krb5", "openssl@3"],
      caveats: "This formula has created a default database cluster.",
      deprecated: false,
    },
    expect: ['"stable":"16.6"', '"license":"PostgreSQL"'],
  },
  jsdelivr_package_stats: {
    args: { name: "@popperjs/core", period: "week" },
    request: { path: "/v1/stats/packages/npm/@popperjs/core", query: { period: "week" } },
    response: {
      hits: { rank: 9, typeRank: 8, total: 1500000000, dates: { "2025-01-13": 210000000 } },
      bandwidth: { rank: 30, typeRank: 28, total: 29000000000000, dates: {} },
    },
    expect: ['"total":1500000000'],
  },
  bundlephobia_size: {
    args: { package: "lodash@4.17.21" },
    request: { path: "/api/size", query: { package: "lodash@4.17.21" } },
    response: {
      name: "lodash",
      version: "4.17.21",
      size: 73015,
      gzip: 25941,
      dependencyCount: 0,
      hasJSModule: false,
      hasSideEffects: true,
    },
    expect: ['"gzip":25941'],
  },
  docker_hub_search: {
    args: { query: "keycloak", limit: 2 },
    request: { path: "/v2/search/repositories/", query: { query: "keycloak", page_size: "2" } },
    response: {
      count: 1450,
      results: [
        {
          repo_name: "keycloak/keycloak",
          short_description: "Keycloak Identity and Access Management",
          star_count: 420,
          pull_count: 95000000,
          is_official: false,
        },
      ],
    },
    expect: ['"repo_name":"keycloak/keycloak"'],
  },
  artifacthub_search: {
    args: { query: "grafana", limit: 2 },
    request: {
      path: "/api/v1/packages/search",
      query: { ts_query_web: "grafana", kind: "0", limit: "2", facets: "false" },
    },
    response: {
      packages: [
        {
          package_id: "1b0f5d5c-0000-4000-8000-000000000000",
          name: "grafana",
          normalized_name: "grafana",
          version: "8.8.2",
          app_version: "11.4.0",
          stars: 520,
          official: true,
          repository: { name: "grafana", url: "https://grafana.github.io/helm-charts" },
        },
      ],
    },
    expect: ['"app_version":"11.4.0"'],
  },
  osv_vulnerability: {
    args: { id: "GHSA-jfh8-c2jp-5v3q" },
    request: { path: "/v1/vulns/GHSA-jfh8-c2jp-5v3q" },
    response: {
      id: "GHSA-jfh8-c2jp-5v3q",
      summary: "Remote code injection in Log4j",
      aliases: ["CVE-2021-44228"],
      affected: [
        {
          package: { ecosystem: "Maven", name: "org.apache.logging.log4j:log4j-core" },
          ranges: [
            { type: "ECOSYSTEM", events: [{ introduced: "2.0-beta9" }, { fixed: "2.15.0" }] },
          ],
        },
      ],
    },
    expect: ['"fixed":"2.15.0"', "CVE-2021-44228"],
  },
  nvd_cve: {
    args: { cve_id: "CVE-2021-44228" },
    env: { NVD_API_KEY: "nvd-test-key" },
    request: {
      path: "/rest/json/cves/2.0",
      query: { cveId: "CVE-2021-44228", resultsPerPage: "10" },
      headers: { apikey: "nvd-test-key" },
    },
    response: {
      resultsPerPage: 1,
      totalResults: 1,
      vulnerabilities: [
        {
          cve: {
            id: "CVE-2021-44228",
            published: "2021-12-10T10:15:09.143",
            descriptions: [{ lang: "en", value: "Apache Log4j2 JNDI features ..." }],
            metrics: {
              cvssMetricV31: [{ cvssData: { baseScore: 10.0, baseSeverity: "CRITICAL" } }],
            },
          },
        },
      ],
    },
    expect: ['"baseSeverity":"CRITICAL"'],
  },
  npm_dist_tags: {
    args: { name: "@angular/core" },
    request: { path: "/-/package/@angular/core/dist-tags" },
    response: { latest: "19.0.6", next: "19.1.0-rc.0", "v18-lts": "18.2.13" },
    expect: ['"next":"19.1.0-rc.0"'],
  },
  pypi_version: {
    args: { name: "numpy", version: "1.26.4" },
    request: { path: "/pypi/numpy/1.26.4/json" },
    response: {
      info: {
        name: "numpy",
        version: "1.26.4",
        requires_python: ">=3.9",
        requires_dist: null,
        license: "BSD-3-Clause",
        yanked: false,
        yanked_reason: null,
      },
      urls: [
        {
          filename: "numpy-1.26.4-cp312-cp312-manylinux_2_17_x86_64.whl",
          packagetype: "bdist_wheel",
          upload_time_iso_8601: "2024-02-05T23:50:00Z",
        },
      ],
      vulnerabilities: [],
    },
    expect: ['"requires_python":">=3.9"'],
  },
  crates_reverse_dependencies: {
    args: { name: "anyhow", limit: 2 },
    request: { path: "/api/v1/crates/anyhow/reverse_dependencies", query: { per_page: "2" } },
    response: {
      dependencies: [
        { crate_id: "anyhow", req: "^1.0", optional: false, kind: "normal", version_id: 1400000 },
      ],
      versions: [{ id: 1400000, crate: "cargo-edit", num: "0.13.0" }],
      meta: { total: 24000 },
    },
    expect: ['"total":24000', '"crate":"cargo-edit"'],
  },
  readthedocs_search: {
    args: { query: "project:requests timeout" },
    request: { path: "/api/v3/search/", query: { q: "project:requests timeout" } },
    response: {
      count: 12,
      next: null,
      previous: null,
      results: [
        {
          type: "page",
          project: { slug: "requests", alias: null },
          version: { slug: "latest" },
          title: "Advanced Usage",
          domain: "https://requests.readthedocs.io",
          path: "/en/latest/user/advanced/",
          highlights: { title: [] },
          blocks: [{ type: "section", id: "timeouts", title: "Timeouts" }],
        },
      ],
    },
    expect: ['"title":"Advanced Usage"', '"id":"timeouts"'],
  },
  mdn_search: {
    args: { query: "array flatMap", limit: 2 },
    request: {
      path: "/api/v1/search",
      query: { q: "array flatMap", locale: "en-US", size: "2" },
    },
    response: {
      documents: [
        {
          mdn_url: "/en-US/docs/Web/JavaScript/Reference/Global_Objects/Array/flatMap",
          title: "Array.prototype.flatMap()",
          summary: "The flatMap() method of Array instances returns a new array ...",
          locale: "en-US",
          score: 97.1,
        },
      ],
      metadata: { took_ms: 12, total: { value: 25, relation: "eq" }, size: 2, page: 1 },
      suggestions: [],
    },
    expect: ['"title":"Array.prototype.flatMap()"'],
  },
  deps_dev_version: {
    args: { system: "maven", name: "org.apache.logging.log4j:log4j-core", version: "2.14.1" },
    request: {
      path: "/v3/systems/maven/packages/org.apache.logging.log4j%3Alog4j-core/versions/2.14.1",
    },
    response: {
      versionKey: {
        system: "MAVEN",
        name: "org.apache.logging.log4j:log4j-core",
        version: "2.14.1",
      },
      isDefault: false,
      licenses: ["Apache-2.0"],
      advisoryKeys: [{ id: "GHSA-jfh8-c2jp-5v3q" }, { id: "GHSA-7rjr-3q55-vv33" }],
      links: [{ label: "SOURCE_REPO", url: "https://github.com/apache/logging-log4j2" }],
    },
    expect: ['"licenses":["Apache-2.0"]', "GHSA-jfh8-c2jp-5v3q"],
  },
  spdx_license: {
    args: { id: "MPL-2.0" },
    request: { path: "/licenses/MPL-2.0.json" },
    response: {
      isDeprecatedLicenseId: false,
      isFsfLibre: true,
      licenseText: "Mozilla Public License Version 2.0\n==================================\n...",
      name: "Mozilla Public License 2.0",
      licenseId: "MPL-2.0",
      seeAlso: ["https://www.mozilla.org/MPL/2.0/"],
      isOsiApproved: true,
    },
    expect: ['"isOsiApproved":true', "Mozilla Public License Version 2.0"],
  },
  pub_dev_package: {
    args: { name: "provider" },
    request: { path: "/api/packages/provider" },
    response: {
      name: "provider",
      latest: {
        version: "6.1.2",
        pubspec: {
          name: "provider",
          description: "A wrapper around InheritedWidget to make them easier to use.",
          environment: { sdk: ">=2.12.0 <4.0.0", flutter: ">=1.16.0" },
          dependencies: { collection: "^1.15.0", flutter: { sdk: "flutter" } },
        },
      },
      versions: [{ version: "6.1.1" }, { version: "6.1.2" }],
    },
    expect: ['"version":"6.1.2"'],
  },
  libraries_io_project: {
    args: { platform: "npm", name: "react" },
    env: { LIBRARIES_IO_API_KEY: "lio-test-key" },
    request: { path: "/api/npm/react", query: { api_key: "lio-test-key" } },
    response: {
      name: "react",
      platform: "NPM",
      latest_release_number: "19.0.0",
      licenses: "MIT",
      dependents_count: 180000,
      dependent_repos_count: 9500000,
      rank: 32,
      repository_url: "https://github.com/facebook/react",
    },
    expect: ['"dependents_count":180000'],
  },
  sentry_issues: {
    args: { organization: "acme", project: "web-frontend" },
    env: { SENTRY_AUTH_TOKEN: "sntrys_test" },
    request: {
      path: "/api/0/projects/acme/web-frontend/issues/",
      query: { query: "is:unresolved", statsPeriod: "24h" },
      headers: { authorization: "Bearer sntrys_test" },
    },
    response: [
      {
        id: "4567890123",
        shortId: "WEB-FRONTEND-3K",
        title: "TypeError: Cannot read properties of undefined (reading 'total')",
        culprit: "app/checkout/summary",
        level: "error",
        count: "812",
        userCount: 240,
        status: "unresolved",
        permalink: "https://acme.sentry.io/issues/4567890123/",
      },
    ],
    expect: ['"shortId":"WEB-FRONTEND-3K"'],
  },
  pagerduty_incidents: {
    args: { limit: 5 },
    env: { PAGERDUTY_API_KEY: "pd-test-key" },
    request: {
      path: "/incidents",
      query: { "statuses[]": "triggered", limit: "5", sort_by: "created_at:desc" },
      headers: {
        authorization: "Token token=pd-test-key",
        accept: "application/vnd.pagerduty+json;version=2",
      },
    },
    response: {
      incidents: [
        {
          id: "Q1ABCDEF",
          incident_number: 1042,
          title: "High error rate on checkout-api",
          status: "triggered",
          urgency: "high",
          service: { summary: "checkout-api" },
          created_at: "2025-01-14T09:12:00Z",
        },
      ],
      limit: 5,
      offset: 0,
      more: false,
    },
    expect: ['"incident_number":1042'],
  },
  jira_search: {
    args: { jql: "project = ENG AND status = 'In Progress'", limit: 5 },
    env: {
      ATLASSIAN_SITE: "acme.atlassian.net",
      ATLASSIAN_EMAIL: "me@acme.com",
      ATLASSIAN_API_TOKEN: "atl-token",
    },
    request: {
      path: "/rest/api/3/search/jql",
      query: {
        jql: "project = ENG AND status = 'In Progress'",
        maxResults: "5",
        fields: "summary,status,assignee,priority,issuetype,updated",
      },
      headers: { authorization: "Basic bWVAYWNtZS5jb206YXRsLXRva2Vu" },
    },
    response: {
      issues: [
        {
          id: "10042",
          key: "ENG-42",
          fields: {
            summary: "Migrate billing jobs to the new queue",
            status: { name: "In Progress" },
            assignee: { displayName: "Dana" },
          },
        },
      ],
      isLast: true,
    },
    expect: ['"key":"ENG-42"'],
  },
  confluence_search: {
    args: { query: "onboarding checklist", limit: 3 },
    env: {
      ATLASSIAN_SITE: "acme.atlassian.net",
      ATLASSIAN_EMAIL: "me@acme.com",
      ATLASSIAN_API_TOKEN: "atl-token",
    },
    request: {
      path: "/wiki/rest/api/search",
      query: { cql: 'siteSearch ~ "onboarding checklist"', limit: "3" },
      headers: { authorization: "Basic bWVAYWNtZS5jb206YXRsLXRva2Vu" },
    },
    response: {
      results: [
        {
          content: { id: "98765", type: "page", title: "Engineering onboarding checklist" },
          excerpt: "Day one: laptop, accounts, ...",
          url: "/spaces/ENG/pages/98765",
          lastModified: "2024-11-02T08:00:00.000Z",
        },
      ],
      size: 1,
      totalSize: 1,
    },
    expect: ["Engineering onboarding checklist"],
  },
  vercel_deployments: {
    args: { project_id: "marketing-site", target: "production", limit: 3 },
    env: { VERCEL_TOKEN: "vercel-test-token" },
    request: {
      path: "/v6/deployments",
      query: { projectId: "marketing-site", target: "production", limit: "3" },
      headers: { authorization: "Bearer vercel-test-token" },
    },
    response: {
      deployments: [
        {
          uid: "dpl_2qn7PZrx",
          name: "marketing-site",
          url: "marketing-site-abc123.vercel.app",
          state: "READY",
          target: "production",
          created: 1736850000000,
          creator: { username: "dana" },
        },
      ],
      pagination: { count: 1, next: null },
    },
    expect: ['"state":"READY"'],
  },
  cloudflare_dns_records: {
    args: { zone_id: "023e105f4ecef8ad9ca31a8372d0c353", type: "MX" },
    env: { CLOUDFLARE_API_TOKEN: "cf-test-token" },
    request: {
      path: "/client/v4/zones/023e105f4ecef8ad9ca31a8372d0c353/dns_records",
      query: { type: "MX", per_page: "100" },
      headers: { authorization: "Bearer cf-test-token" },
    },
    response: {
      success: true,
      errors: [],
      messages: [],
      result: [
        {
          id: "372e67954025e0ba6aaa6d586b9e0b59",
          type: "MX",
          name: "example.com",
          content: "mx1.mail.example.net",
          priority: 10,
          proxied: false,
          ttl: 3600,
        },
      ],
    },
    expect: ['"content":"mx1.mail.example.net"'],
  },
  dns_lookup: {
    args: { name: "gmail.com", type: "MX" },
    request: { path: "/resolve", query: { name: "gmail.com", type: "MX" } },
    response: {
      Status: 0,
      TC: false,
      RD: true,
      RA: true,
      AD: false,
      CD: false,
      Question: [{ name: "gmail.com.", type: 15 }],
      Answer: [{ name: "gmail.com.", type: 15, TTL: 3600, data: "5 gmail-smtp-in.l.google.com." }],
    },
    expect: ["gmail-smtp-in.l.google.com"],
  },
  crtsh_certificates: {
    args: { domain: "%.example.com", exclude: "expired" },
    request: { path: "/", query: { q: "%.example.com", exclude: "expired", output: "json" } },
    response: [
      {
        issuer_ca_id: 185756,
        issuer_name: "C=US, O=DigiCert Inc, CN=DigiCert Global G2 TLS RSA SHA256 2020 CA1",
        common_name: "www.example.com",
        name_value: "example.com\nwww.example.com",
        id: 11987654321,
        not_before: "2025-01-15T00:00:00",
        not_after: "2026-01-15T23:59:59",
        serial_number: "0ad893bafa68b0b7fb7a404f06ecaf9a",
      },
    ],
    expect: ['"not_after":"2026-01-15T23:59:59"'],
  },
  rdap_domain: {
    args: { domain: "example.com" },
    request: { path: "/domain/example.com", headers: { accept: "application/rdap+json" } },
    response: {
      objectClassName: "domain",
      ldhName: "EXAMPLE.COM",
      status: ["client delete prohibited", "client transfer prohibited"],
      events: [
        { eventAction: "registration", eventDate: "1995-08-14T04:00:00Z" },
        { eventAction: "expiration", eventDate: "2025-08-13T04:00:00Z" },
      ],
      nameservers: [{ ldhName: "A.IANA-SERVERS.NET" }, { ldhName: "B.IANA-SERVERS.NET" }],
    },
    expect: ['"eventAction":"expiration"', "A.IANA-SERVERS.NET"],
  },
  terraform_module_search: {
    args: { query: "vpc", provider: "aws", verified: true, limit: 2 },
    request: {
      path: "/v1/modules/search",
      query: { q: "vpc", provider: "aws", verified: "true", limit: "2" },
    },
    response: {
      meta: { limit: 2, current_offset: 0, next_offset: 2 },
      modules: [
        {
          id: "terraform-aws-modules/vpc/aws/5.17.0",
          namespace: "terraform-aws-modules",
          name: "vpc",
          provider: "aws",
          version: "5.17.0",
          description: "Terraform module to create AWS VPC resources",
          downloads: 120000000,
          verified: true,
          source: "https://github.com/terraform-aws-modules/terraform-aws-vpc",
        },
      ],
    },
    expect: ['"id":"terraform-aws-modules/vpc/aws/5.17.0"'],
  },
  terraform_provider: {
    args: { namespace: "hashicorp", name: "aws" },
    request: { path: "/v1/providers/hashicorp/aws" },
    response: {
      id: "hashicorp/aws/5.84.0",
      namespace: "hashicorp",
      name: "aws",
      version: "5.84.0",
      tier: "official",
      published_at: "2025-01-16T20:00:00Z",
      downloads: 4200000000,
      source: "https://github.com/hashicorp/terraform-provider-aws",
      versions: ["5.83.1", "5.84.0"],
    },
    expect: ['"version":"5.84.0"', '"tier":"official"'],
  },
  pypi_downloads: {
    args: { name: "requests" },
    request: { path: "/api/packages/requests/recent" },
    response: {
      data: { last_day: 18000000, last_month: 560000000, last_week: 130000000 },
      package: "requests",
      type: "recent_downloads",
    },
    expect: ['"last_month":560000000'],
  },
  cran_package: {
    args: { name: "ggplot2" },
    request: { path: "/ggplot2" },
    response: {
      Package: "ggplot2",
      Version: "3.5.1",
      Title: "Create Elegant Data Visualisations Using the Grammar of Graphics",
      License: "MIT + file LICENSE",
      Maintainer: "Thomas Lin Pedersen <thomas.pedersen@posit.co>",
      Imports: { cli: "*", glue: "*", grid: "*", gtable: ">= 0.1.1", rlang: ">= 1.1.0" },
      "Date/Publication": "2024-04-23 08:00:02 UTC",
    },
    expect: ['"Version":"3.5.1"'],
  },
  github_compare: {
    args: { owner: "vitejs", repo: "vite", base: "v5.0.0", head: "v5.1.0", limit: 2 },
    request: { path: "/repos/vitejs/vite/compare/v5.0.0...v5.1.0", query: { per_page: "2" } },
    response: {
      status: "ahead",
      ahead_by: 213,
      behind_by: 0,
      total_commits: 213,
      commits: [
        {
          sha: "0a1b2c3d",
          commit: { message: "feat: add --force to optimize", author: { name: "Someone" } },
        },
      ],
      files: [{ filename: "packages/vite/src/node/cli.ts", additions: 12, deletions: 3 }],
    },
    expect: ['"ahead_by":213'],
  },
  gitlab_merge_requests: {
    args: { project: "gitlab-org/gitlab-runner", state: "merged", target_branch: "main" },
    request: {
      path: "/api/v4/projects/gitlab-org%2Fgitlab-runner/merge_requests",
      query: { state: "merged", target_branch: "main", per_page: "20" },
    },
    response: [
      {
        iid: 5120,
        title: "Retry artifact uploads on 502",
        state: "merged",
        source_branch: "retry-upload",
        target_branch: "main",
        draft: false,
        web_url: "https://gitlab.com/gitlab-org/gitlab-runner/-/merge_requests/5120",
      },
    ],
    expect: ['"iid":5120', '"state":"merged"'],
  },
  gitlab_pipelines: {
    args: { project: "mygroup/backend", ref: "main", status: "failed", limit: 3 },
    env: { GITLAB_TOKEN: "glpat-test" },
    request: {
      path: "/api/v4/projects/mygroup%2Fbackend/pipelines",
      query: { ref: "main", status: "failed", per_page: "3" },
      headers: { "private-token": "glpat-test" },
    },
    response: [
      {
        id: 1587654321,
        iid: 4321,
        status: "failed",
        ref: "main",
        sha: "9f8e7d6c",
        source: "push",
        web_url: "https://gitlab.com/mygroup/backend/-/pipelines/1587654321",
      },
    ],
    expect: ['"status":"failed"', '"id":1587654321'],
  },
  open_vsx_extension: {
    args: { namespace: "rust-lang", name: "rust-analyzer" },
    request: { path: "/api/rust-lang/rust-analyzer" },
    response: {
      namespace: "rust-lang",
      name: "rust-analyzer",
      version: "0.3.2257",
      displayName: "rust-analyzer",
      description: "Rust language support for Visual Studio Code",
      downloadCount: 2800000,
      averageRating: 4.6,
      license: "MIT OR Apache-2.0",
      engines: { vscode: "^1.83.0" },
    },
    expect: ['"version":"0.3.2257"'],
  },
  anaconda_package: {
    args: { name: "numpy" },
    request: { path: "/package/conda-forge/numpy" },
    response: {
      name: "numpy",
      owner: { login: "conda-forge" },
      latest_version: "2.2.1",
      versions: ["2.2.0", "2.2.1"],
      summary: "The fundamental package for scientific computing with Python.",
      license: "BSD-3-Clause",
      conda_platforms: ["linux-64", "osx-arm64", "win-64"],
      ndownloads: 150000000,
    },
    expect: ['"latest_version":"2.2.1"'],
  },
  stackexchange_answers: {
    args: { question_id: 927358, limit: 2 },
    request: {
      path: "/2.3/questions/927358/answers",
      query: {
        site: "stackoverflow",
        pagesize: "2",
        order: "desc",
        sort: "votes",
        filter: "withbody",
      },
    },
    response: {
      items: [
        {
          answer_id: 927386,
          question_id: 927358,
          score: 28000,
          is_accepted: true,
          body: "<p>Use <code>git reset --soft HEAD~1</code> to undo the last commit ...</p>",
        },
      ],
      has_more: true,
    },
    expect: ['"is_accepted":true', "git reset --soft HEAD~1"],
  },
  crates_search: {
    args: { query: "toml parser", sort: "downloads", limit: 2 },
    request: {
      path: "/api/v1/crates",
      query: { q: "toml parser", sort: "downloads", per_page: "2" },
    },
    response: {
      crates: [
        {
          name: "toml",
          max_version: "0.8.19",
          description: "A native Rust encoder and decoder of TOML-formatted files and streams.",
          downloads: 260000000,
          recent_downloads: 41000000,
        },
      ],
      meta: { total: 312 },
    },
    expect: ['"name":"toml"', '"max_version":"0.8.19"'],
  },
  rubygems_search: {
    args: { query: "background jobs" },
    request: { path: "/api/v1/search.json", query: { query: "background jobs" } },
    response: [
      {
        name: "sidekiq",
        version: "7.3.7",
        info: "Simple, efficient background processing for Ruby.",
        downloads: 390000000,
        licenses: ["LGPL-3.0"],
        project_uri: "https://rubygems.org/gems/sidekiq",
      },
    ],
    expect: ['"name":"sidekiq"'],
  },
  github_contributors: {
    args: { owner: "tailwindlabs", repo: "tailwindcss", limit: 2 },
    request: { path: "/repos/tailwindlabs/tailwindcss/contributors", query: { per_page: "2" } },
    response: [
      { login: "adamwathan", contributions: 1900, html_url: "https://github.com/adamwathan" },
      { login: "RobinMalfait", contributions: 1500, html_url: "https://github.com/RobinMalfait" },
    ],
    expect: ['"login":"adamwathan"', '"contributions":1900'],
  },
  bitbucket_pull_requests: {
    args: { workspace: "acme", repo: "payments", state: "MERGED", limit: 5 },
    env: { BITBUCKET_TOKEN: "bb-test-token" },
    request: {
      path: "/2.0/repositories/acme/payments/pullrequests",
      query: { state: "MERGED", pagelen: "5" },
      headers: { authorization: "Bearer bb-test-token" },
    },
    response: {
      pagelen: 5,
      size: 1,
      values: [
        {
          id: 87,
          title: "Add idempotency keys to refunds",
          state: "MERGED",
          author: { display_name: "Dana" },
          source: { branch: { name: "refund-idempotency" } },
          destination: { branch: { name: "main" } },
          comment_count: 4,
        },
      ],
    },
    expect: ['"id":87', "Add idempotency keys to refunds"],
  },
  github_dependabot_alerts: {
    args: { owner: "acme", repo: "webapp", severity: "critical" },
    env: { GITHUB_TOKEN: "ghp_dependabot" },
    request: {
      path: "/repos/acme/webapp/dependabot/alerts",
      query: { state: "open", severity: "critical", per_page: "30" },
      headers: { authorization: "Bearer ghp_dependabot" },
    },
    response: [
      {
        number: 12,
        state: "open",
        dependency: {
          package: { ecosystem: "npm", name: "minimist" },
          manifest_path: "package-lock.json",
        },
        security_advisory: {
          ghsa_id: "GHSA-xvch-5gv4-984h",
          cve_id: "CVE-2021-44906",
          severity: "critical",
          summary: "Prototype Pollution in minimist",
        },
        security_vulnerability: { first_patched_version: { identifier: "1.2.6" } },
      },
    ],
    expect: ['"ghsa_id":"GHSA-xvch-5gv4-984h"', '"identifier":"1.2.6"'],
  },
  cloudflare_zones: {
    args: { name: "example.com" },
    env: { CLOUDFLARE_API_TOKEN: "cf-test-token" },
    request: {
      path: "/client/v4/zones",
      query: { name: "example.com", per_page: "20" },
      headers: { authorization: "Bearer cf-test-token" },
    },
    response: {
      success: true,
      errors: [],
      result: [
        {
          id: "023e105f4ecef8ad9ca31a8372d0c353",
          name: "example.com",
          status: "active",
          plan: { name: "Free Website" },
          name_servers: ["bob.ns.cloudflare.com", "lola.ns.cloudflare.com"],
        },
      ],
    },
    expect: ['"id":"023e105f4ecef8ad9ca31a8372d0c353"'],
  },
  opsgenie_alerts: {
    args: { query: "status:open AND priority:P1", limit: 5 },
    env: { OPSGENIE_API_KEY: "og-test-key" },
    request: {
      path: "/v2/alerts",
      query: { query: "status:open AND priority:P1", limit: "5", sort: "createdAt", order: "desc" },
      headers: { authorization: "GenieKey og-test-key" },
    },
    response: {
      data: [
        {
          id: "70413a06-38d6-4c85-92b8-5ebc900d42e2",
          tinyId: "1791",
          message: "Database replica lag above 30s",
          status: "open",
          acknowledged: false,
          priority: "P1",
          tags: ["database"],
          createdAt: "2025-01-14T09:30:00.000Z",
        },
      ],
      took: 0.01,
    },
    expect: ['"tinyId":"1791"'],
  },
  datadog_monitors: {
    args: { tags: "env:prod" },
    env: { DD_API_KEY: "dd-api", DD_APP_KEY: "dd-app" },
    request: {
      path: "/api/v1/monitor",
      query: { group_states: "alert,warn,no data", monitor_tags: "env:prod" },
      headers: { "dd-api-key": "dd-api", "dd-application-key": "dd-app" },
    },
    response: [
      {
        id: 4567890,
        name: "High p99 latency on checkout",
        type: "metric alert",
        query: "avg(last_5m):p99:trace.http.request{service:checkout} > 2",
        overall_state: "Alert",
        tags: ["env:prod", "team:payments"],
        priority: 2,
      },
    ],
    expect: ['"overall_state":"Alert"'],
  },
  netlify_deploys: {
    args: { site_id: "my-site.netlify.app", limit: 2 },
    env: { NETLIFY_AUTH_TOKEN: "nf-test-token" },
    request: {
      path: "/api/v1/sites/my-site.netlify.app/deploys",
      query: { per_page: "2" },
      headers: { authorization: "Bearer nf-test-token" },
    },
    response: [
      {
        id: "678a1b2c3d4e5f0012345678",
        state: "error",
        context: "production",
        branch: "main",
        commit_ref: "9f8e7d6",
        error_message: "Build script returned non-zero exit code: 2",
        deploy_ssl_url: "https://678a1b2c--my-site.netlify.app",
      },
    ],
    expect: ['"state":"error"', "non-zero exit code"],
  },
  circleci_pipelines: {
    args: { project_slug: "gh/acme/api", branch: "main" },
    env: { CIRCLECI_TOKEN: "cci-test-token" },
    request: {
      path: "/api/v2/project/gh/acme/api/pipeline",
      query: { branch: "main" },
      headers: { "circle-token": "cci-test-token" },
    },
    response: {
      items: [
        {
          id: "5034460f-c7c4-4c43-9457-de07e2029e7b",
          number: 1287,
          state: "created",
          trigger: { type: "webhook" },
          vcs: { branch: "main", revision: "a1b2c3d" },
          created_at: "2025-01-14T10:00:00Z",
        },
      ],
      next_page_token: null,
    },
    expect: ['"number":1287'],
  },
};

/** A query value that must start with this text (long field lists). */
export function expectStartsWith(prefix: string): string {
  return `^${prefix}`;
}
