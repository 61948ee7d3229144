from django.db import models
from django.urls import reverse


class Topic(models.Model):
    """A category of notes, as the source blog had them (深度学习, 工具使用, DL论文)."""

    name = models.CharField("名称", max_length=100, unique=True)
    slug = models.SlugField("网址名", max_length=100, unique=True, allow_unicode=True)
    description = models.TextField("简介", blank=True)
    position = models.PositiveIntegerField("排序", default=0, help_text="小的排在前面。")

    class Meta:
        ordering = ["position", "name"]
        verbose_name = "主题"
        verbose_name_plural = "主题"

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("papers:topic", kwargs={"slug": self.slug})
