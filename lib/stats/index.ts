// Statistical special functions (Cephes ports) shared by lib/drift and lib/abtest.
export {
  chi2Sf,
  erf,
  erfc,
  gammainc,
  gammaincc,
  incbet,
  lgamma,
  ndtr,
  normIsf,
  normSf,
  studentIsf,
  studentSf,
  studentTwoSided,
} from "./special";
