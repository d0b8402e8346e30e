"""A client's interaction history with the line (G3, G4): every call, callback task, survey
answer and written message (with the notices sent for it) of a client or of their number, for
supervisors, and the part of it that is handed to the client on request, as a printable
document and as JSON.

* ``reference`` — what the supervisor typed (a phone number, a client's record number);
* ``records`` — the stored facts, as plain values; ``store`` reads them from the database;
* ``timeline`` — the facts put together per call, callback task and message, in time order;
* ``disclosure`` — which facts go to the client, decided field by field, and the document
  (``message_disclosure`` for the written messages, ``audience`` the words of a decision);
* ``export_json`` — the document as JSON; ``audit`` — every view written to the audit log.
"""
