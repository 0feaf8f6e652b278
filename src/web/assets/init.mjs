// The web pages' one script of their own (served as /assets/init.mjs, a module: no inline script). It starts
// GOV.UK Frontend's and MoJ Frontend's components, which only enhance pages that work without JavaScript.
import { initAll as initGovuk } from "/assets/govuk/govuk-frontend.min.js";
import { initAll as initMoj } from "/assets/moj/moj-frontend.min.js";

initGovuk();
initMoj();
