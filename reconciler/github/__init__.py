"""The GitOps pipeline's logic, run by the shipped workflows as ``reconciler github …``.

Everything the workflows used to do in bash and JavaScript lives here, tested against
a fake of the GitHub REST API: finding the reviewed plan of a merge (by pull request
number AND head commit), the trusted plan comment (built from ``plan.json`` only),
the apply report and the one drift issue. :mod:`.api` is the only module that talks
HTTP; every text that came from a pull request is escaped by :mod:`.markdown`.
"""
