"""One-off: makes the demo video lesson's files in media/v-fz-01/ (#26.6) — slides with
Chinese text drawn by Pillow in Noto Sans CJK, a narration spoken by espeak-ng, WebVTT
captions timed sentence by sentence from that narration, two H.264 + AAC renditions
(360p within 400 kbit/s all told, and 720p, both faststart) and a poster.

Its outputs are committed; neither tests nor CI run it (they have no ffmpeg). To remake
them: `apt-get install -y ffmpeg espeak-ng fonts-noto-cjk`, then
`python -m infra.local.content.make_video` from the repository root.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
import wave
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

LESSON_ID = "v-fz-01"
OUT = Path(__file__).resolve().parent / "media" / LESSON_ID
FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
BOLD = "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"
SC = 2  # the collection's Simplified Chinese face
WIDTH, HEIGHT = 1280, 720
# espeak-ng's plain cmn voice reads pinyin as English; this one speaks Mandarin tones.
VOICE, SPEED = "cmn-latn-pinyin", 180
PAUSE_S = 0.35
RED, INK, PAPER = (176, 28, 36), (40, 40, 40), (250, 247, 240)


@dataclass(frozen=True)
class Slide:
    title: str
    lines: tuple[str, ...]
    narration: tuple[str, ...]  # one caption cue per sentence


SLIDES = (
    Slide(
        "习近平法治思想概述",
        ("学法 · 视频课", "习近平法治思想与党的法治方针"),
        ("本课用一分多钟，概述习近平法治思想的指导地位和核心要义。",),
    ),
    Slide(
        "指导地位",
        (
            "2020年11月 中央全面依法治国工作会议",
            "明确习近平法治思想的指导地位",
            "全面依法治国的根本遵循和行动指南",
        ),
        (
            "二〇二〇年十一月，中央全面依法治国工作会议明确了习近平法治思想在全面依法治国中的指导地位。",
            "它是全面依法治国的根本遵循和行动指南。",
        ),
    ),
    Slide(
        "核心要义：十一个坚持（一）",
        (
            "坚持党对全面依法治国的领导",
            "坚持以人民为中心",
            "坚持中国特色社会主义法治道路",
            "坚持依宪治国、依宪执政",
        ),
        (
            "它的核心要义，概括为十一个坚持。",
            "首先是坚持党对全面依法治国的领导，坚持以人民为中心。",
            "坚持中国特色社会主义法治道路，坚持依宪治国、依宪执政。",
        ),
    ),
    Slide(
        "核心要义：十一个坚持（二）",
        (
            "坚持在法治轨道上推进国家治理现代化",
            "坚持建设中国特色社会主义法治体系",
            "法治国家、法治政府、法治社会一体建设",
            "科学立法、严格执法、公正司法、全民守法",
        ),
        (
            "坚持在法治轨道上推进国家治理体系和治理能力现代化。",
            "坚持建设中国特色社会主义法治体系。",
            "坚持依法治国、依法执政、依法行政共同推进，法治国家、法治政府、法治社会一体建设。",
            "坚持全面推进科学立法、严格执法、公正司法、全民守法。",
        ),
    ),
    Slide(
        "核心要义：十一个坚持（三）",
        (
            "坚持统筹推进国内法治和涉外法治",
            "坚持建设德才兼备的高素质法治工作队伍",
            "坚持抓住领导干部这个“关键少数”",
        ),
        (
            "坚持统筹推进国内法治和涉外法治。",
            "坚持建设德才兼备的高素质法治工作队伍。",
            "坚持抓住领导干部这个关键少数。",
        ),
    ),
    Slide(
        "落到日常工作中",
        ("做尊法学法守法用法的模范", "重大决策，先问合不合法", "执法严格规范公正文明"),
        (
            "对每一名国家工作人员来说，要做尊法学法守法用法的模范。",
            "作出重大决策，先问合不合法；行政执法，做到严格规范公正文明。",
            "学习中的随堂提问，答案都在本课之中。",
        ),
    ),
)


def draw_slide(slide: Slide, number: int) -> Image.Image:
    image = Image.new("RGB", (WIDTH, HEIGHT), PAPER)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, WIDTH, 16), fill=RED)
    title_font = ImageFont.truetype(BOLD, 64 if number == 0 else 54, index=SC)
    line_font = ImageFont.truetype(FONT, 40, index=SC)
    top = 250 if number == 0 else 90
    draw.text((100, top), slide.title, font=title_font, fill=RED)
    draw.line((100, top + 95, WIDTH - 100, top + 95), fill=RED, width=3)
    for i, line in enumerate(slide.lines):
        bullet = "" if number == 0 else "● "
        draw.text((100, top + 135 + i * 78), bullet + line, font=line_font, fill=INK)
    small = ImageFont.truetype(FONT, 24, index=SC)
    draw.text((100, HEIGHT - 60), "学法 xuefa · 示范课程", font=small, fill=(120, 120, 120))
    page = f"{number + 1} / {len(SLIDES)}"
    draw.text((WIDTH - 160, HEIGHT - 60), page, font=small, fill=(120, 120, 120))
    return image


def speak(sentence: str, path: Path) -> float:
    """Speaks one sentence to a WAV file and returns its length in seconds."""
    spoken = sentence.replace("〇", "零").replace("“", "").replace("”", "")
    command = ["espeak-ng", "-v", VOICE, "-s", str(SPEED), "-w", str(path), spoken]
    subprocess.run(command, check=True)
    with wave.open(str(path)) as clip:
        return clip.getnframes() / clip.getframerate()


def stamp(seconds: float) -> str:
    whole = int(seconds)
    millis = int((seconds - whole) * 1000)
    return f"{whole // 3600:02d}:{whole // 60 % 60:02d}:{whole % 60:02d}.{millis:03d}"


def narrate(work: Path) -> tuple[list[float], list[str]]:
    """Joins every sentence, with a pause after each, into narration.wav; returns each
    slide's length and the WebVTT cues."""
    lengths, cues, clock, frames = [], [], 0.0, []
    params = None
    for s, slide in enumerate(SLIDES):
        start = clock
        for n, sentence in enumerate(slide.narration):
            clip_path = work / f"s{s}-{n}.wav"
            length = speak(sentence, clip_path)
            with wave.open(str(clip_path)) as clip:
                params = clip.getparams()
                silence = b"\0" * int(PAUSE_S * clip.getframerate()) * clip.getsampwidth()
                frames.append(clip.readframes(clip.getnframes()) + silence)
            cues.append(f"{stamp(clock)} --> {stamp(clock + length)}\n{sentence}")
            clock += length + PAUSE_S
        lengths.append(clock - start)
    assert params is not None
    with wave.open(str(work / "narration.wav"), "wb") as out:
        out.setparams(params)
        out.writeframes(b"".join(frames))
    return lengths, cues


def encode(work: Path, height: int, video_kbps: int, audio_kbps: int) -> Path:
    target = OUT / f"{height}.mp4"
    inputs = ["-f", "concat", "-safe", "0", "-i", str(work / "slides.txt")]
    inputs += ["-i", str(work / "narration.wav")]
    video = ["-vf", f"fps=10,scale=-2:{height},format=yuv420p", "-c:v", "libx264"]
    video += ["-preset", "veryslow", "-tune", "stillimage", "-profile:v", "main", "-crf", "30"]
    video += ["-maxrate", f"{video_kbps}k", "-bufsize", f"{2 * video_kbps}k", "-g", "100"]
    audio = ["-c:a", "aac", "-b:a", f"{audio_kbps}k", "-ac", "1", "-shortest"]
    command = ["ffmpeg", "-y", "-loglevel", "error", *inputs, *video, *audio]
    subprocess.run([*command, "-movflags", "+faststart", str(target)], check=True)
    return target


def measure(path: Path) -> tuple[float, int]:
    probe = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", str(path)],
        check=True,
        capture_output=True,
        text=True,
    )
    duration = float(probe.stdout.strip())
    return duration, round(path.stat().st_size * 8 / 1000 / duration)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="xuefa-video-"))
    lengths, cues = narrate(work)
    listing = []
    for s, slide in enumerate(SLIDES):
        draw_slide(slide, s).save(work / f"slide{s}.png")
        listing.append(f"file '{work / f'slide{s}.png'}'\nduration {lengths[s]:.3f}")
    listing.append(f"file '{work / f'slide{len(SLIDES) - 1}.png'}'")
    (work / "slides.txt").write_text("\n".join(listing) + "\n", encoding="utf-8")
    draw_slide(SLIDES[0], 0).convert("RGB").save(OUT / "poster.jpg", quality=70, optimize=True)
    (OUT / "zh.vtt").write_text("WEBVTT\n\n" + "\n\n".join(cues) + "\n", encoding="utf-8")
    renditions = []
    for height, video_kbps, audio_kbps in ((360, 200, 32), (720, 500, 48)):
        duration, kbps = measure(encode(work, height, video_kbps, audio_kbps))
        renditions.append({"file": f"{height}.mp4", "height": height, "bitrate_kbps": kbps})
    meta = {"duration_s": int(duration), "renditions": renditions}
    meta |= {"poster": "poster.jpg", "captions": "zh.vtt"}
    text = json.dumps(meta, ensure_ascii=False, indent=2) + "\n"
    (OUT / "media.json").write_text(text, encoding="utf-8")
    shutil.rmtree(work)
    print(json.dumps(meta, ensure_ascii=False))


if __name__ == "__main__":
    main()
