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
};
