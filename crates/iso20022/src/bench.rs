//! Throughput benchmark: parse + validate + map of a representative CBPR+-style pacs.008
//! (SWIFT envelope, business application header, one transaction with full parties), on the
//! calling thread. `kliring bench iso20022` prints the result.

use crate::model::Message;
use serde::Serialize;
use std::time::Instant;

/// The message the benchmark reads.
pub const PACS008_SAMPLE: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<Envelope xmlns="urn:swift:xsd:envelope">
  <AppHdr xmlns="urn:iso:std:iso:20022:tech:xsd:head.001.001.02">
    <Fr><FIId><FinInstnId><BICFI>BANKDEFFXXX</BICFI></FinInstnId></FIId></Fr>
    <To><FIId><FinInstnId><BICFI>BANKKENAXXX</BICFI></FinInstnId></FIId></To>
    <BizMsgIdr>KLR-20261126-000001</BizMsgIdr>
    <MsgDefIdr>pacs.008.001.08</MsgDefIdr>
    <BizSvc>swift.cbprplus.02</BizSvc>
    <CreDt>2026-11-26T09:30:00+00:00</CreDt>
  </AppHdr>
  <Document xmlns="urn:iso:std:iso:20022:tech:xsd:pacs.008.001.08">
    <FIToFICstmrCdtTrf>
      <GrpHdr>
        <MsgId>KLR-20261126-000001</MsgId>
        <CreDtTm>2026-11-26T09:30:00+00:00</CreDtTm>
        <NbOfTxs>1</NbOfTxs>
        <CtrlSum>12500.50</CtrlSum>
        <SttlmInf><SttlmMtd>CLRG</SttlmMtd></SttlmInf>
      </GrpHdr>
      <CdtTrfTxInf>
        <PmtId>
          <InstrId>INSTR-000001</InstrId>
          <EndToEndId>E2E-INV-2026-0042</EndToEndId>
          <TxId>TX-000001</TxId>
          <UETR>3f1c2b4a-5d6e-4f70-8a9b-0c1d2e3f4a5b</UETR>
        </PmtId>
        <IntrBkSttlmAmt Ccy="EUR">12500.50</IntrBkSttlmAmt>
        <IntrBkSttlmDt>2026-11-26</IntrBkSttlmDt>
        <ChrgBr>SHAR</ChrgBr>
        <InstgAgt><FinInstnId><BICFI>BANKDEFFXXX</BICFI></FinInstnId></InstgAgt>
        <InstdAgt><FinInstnId><BICFI>BANKKENAXXX</BICFI></FinInstnId></InstdAgt>
        <Dbtr>
          <Nm>Muster Maschinenbau GmbH</Nm>
          <PstlAdr>
            <StrtNm>Hauptstrasse</StrtNm><BldgNb>12</BldgNb><PstCd>60311</PstCd>
            <TwnNm>Frankfurt am Main</TwnNm><Ctry>DE</Ctry>
          </PstlAdr>
        </Dbtr>
        <DbtrAcct><Id><IBAN>DE89370400440532013000</IBAN></Id></DbtrAcct>
        <DbtrAgt><FinInstnId><BICFI>BANKDEFFXXX</BICFI></FinInstnId></DbtrAgt>
        <CdtrAgt><FinInstnId><BICFI>BANKKENAXXX</BICFI></FinInstnId></CdtrAgt>
        <Cdtr>
          <Nm>Savannah Coffee Exporters Ltd</Nm>
          <PstlAdr><TwnNm>Nairobi</TwnNm><Ctry>KE</Ctry><AdrLine>Moi Avenue 40</AdrLine></PstlAdr>
        </Cdtr>
        <CdtrAcct><Id><Othr><Id>0123456789012</Id></Othr></Id></CdtrAcct>
        <RmtInf><Ustrd>Invoice 2026-0042 green coffee, 40 bags</Ustrd></RmtInf>
      </CdtTrfTxInf>
    </FIToFICstmrCdtTrf>
  </Document>
</Envelope>
"#;

/// Benchmark outcome.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BenchResult {
    /// The benchmarked message, e.g. `pacs.008.001.08`.
    pub message: &'static str,
    pub iterations: u64,
    /// Messages parsed, validated and mapped per second over the whole run, one thread.
    pub messages_per_sec: f64,
    /// The fastest of the run's batches (each a tenth of the iterations): on a shared machine
    /// this is the best estimate of one uncontended core.
    pub best_batch_messages_per_sec: f64,
    /// Messages that did not come out as a valid credit transfer (must be 0).
    pub failures: u64,
}

/// Batches per run, for `best_batch_messages_per_sec`.
const BATCHES: u64 = 10;

/// Parses, validates and maps [`PACS008_SAMPLE`] `iterations` times.
pub fn pacs008(iterations: u64) -> BenchResult {
    let bytes = PACS008_SAMPLE.as_bytes();
    let mut failures = 0u64;
    let batch = (iterations / BATCHES).max(1);
    let mut best = 0.0f64;
    let mut done = 0u64;
    let start = Instant::now();
    while done < iterations {
        let n = batch.min(iterations - done);
        let batch_start = Instant::now();
        for _ in 0..n {
            match crate::parse(std::hint::black_box(bytes)) {
                Ok(p) if matches!(p.message, Some(Message::CreditTransfer(_))) => {}
                _ => failures += 1,
            }
        }
        best = best.max(rate(n, batch_start.elapsed().as_secs_f64()));
        done += n;
    }
    BenchResult {
        message: "pacs.008.001.08",
        iterations,
        messages_per_sec: rate(iterations, start.elapsed().as_secs_f64()),
        best_batch_messages_per_sec: best,
        failures,
    }
}

fn rate(count: u64, secs: f64) -> f64 {
    if secs > 0.0 {
        // Iteration counts stay far below 2^53, so the conversion is exact.
        count as f64 / secs
    } else {
        0.0
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn sample_is_a_valid_credit_transfer() {
        let r = super::pacs008(3);
        assert_eq!(r.failures, 0);
        assert_eq!(r.iterations, 3);
        assert!(r.messages_per_sec.is_finite() && r.best_batch_messages_per_sec.is_finite());
    }
}
