"""Background tasks (django-tasks). The task only names the job; indicators.jobs does the work."""

from django_tasks import task

from indicators import jobs


@task(queue_name="imports")
def run_import_job(job_id: int) -> str:
    """Check or write import job `job_id` if it still waits; a second task naming the same job
    (queued again after its worker went silent) finds it taken and does nothing."""
    job = jobs.claim(job_id)
    if job is None:
        return "not waiting"
    with jobs.heartbeat(job):
        jobs.run_job(job)
    return job.status
