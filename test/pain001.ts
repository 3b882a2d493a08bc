import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { expect } from 'vitest';

export type Pain001Transaction = {
  PmtId: { EndToEndId: string };
  Amt: { InstdAmt: { '#text': string; '@_Ccy': string } };
  CdtrAgt?: { FinInstnId: { BIC: string } };
  Cdtr: { Nm: string };
  CdtrAcct: { Id: { IBAN: string } };
  RmtInf?: { Ustrd: string };
};
export type ParsedPain001 = {
  Document: {
    '@_xmlns': string;
    CstmrCdtTrfInitn: {
      GrpHdr: { MsgId: string; CreDtTm: string; NbOfTxs: string; CtrlSum: string; InitgPty: { Nm: string } };
      PmtInf: {
        PmtInfId: string;
        PmtMtd: string;
        BtchBookg: string;
        NbOfTxs: string;
        CtrlSum: string;
        PmtTpInf: { SvcLvl: { Cd: string } };
        ReqdExctnDt: string;
        Dbtr: { Nm: string };
        DbtrAcct: { Id: { IBAN: string } };
        DbtrAgt: { FinInstnId: { BIC: string } };
        ChrgBr: string;
        CdtTrfTxInf: Pain001Transaction[];
      };
    };
  };
};

/** Parsed back with every value kept as text ("12.30" stays "12.30"). */
export function parsePain001(xml: string): ParsedPain001 {
  expect(XMLValidator.validate(xml)).toBe(true);
  const parser = new XMLParser({ ignoreAttributes: false, parseTagValue: false, parseAttributeValue: false, isArray: (name) => name === 'CdtTrfTxInf' });
  return parser.parse(xml) as ParsedPain001;
}
