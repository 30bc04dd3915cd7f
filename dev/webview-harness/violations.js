// Dev only: records Content-Security-Policy violations so the screenshot script can fail on them.
window.__violations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__violations.push(`${e.violatedDirective}: ${e.blockedURI} ${e.sourceFile || ''}:${e.lineNumber || ''}`);
});
