/**
 * Azure neural text-to-speech voices offered by the voice picker, a committed list (the Speech
 * service's full list needs a key and a region to fetch): the widely available voices of the
 * languages IVRs are most often built in. A voice not listed here still works if Azure knows it;
 * the picker keeps it.
 */
export interface NeuralVoice {
  name: string;
  locale: string;
  gender: 'female' | 'male';
}

const v = (name: string, gender: NeuralVoice['gender']): NeuralVoice => ({
  name,
  locale: name.split('-').slice(0, 2).join('-'),
  gender,
});

export const NEURAL_VOICES: readonly NeuralVoice[] = [
  v('en-US-JennyNeural', 'female'),
  v('en-US-AriaNeural', 'female'),
  v('en-US-AvaNeural', 'female'),
  v('en-US-EmmaNeural', 'female'),
  v('en-US-GuyNeural', 'male'),
  v('en-US-DavisNeural', 'male'),
  v('en-US-AndrewNeural', 'male'),
  v('en-US-BrianNeural', 'male'),
  v('en-GB-SoniaNeural', 'female'),
  v('en-GB-LibbyNeural', 'female'),
  v('en-GB-RyanNeural', 'male'),
  v('en-AU-NatashaNeural', 'female'),
  v('en-AU-WilliamNeural', 'male'),
  v('en-CA-ClaraNeural', 'female'),
  v('en-CA-LiamNeural', 'male'),
  v('en-IE-EmilyNeural', 'female'),
  v('en-IE-ConnorNeural', 'male'),
  v('en-IN-NeerjaNeural', 'female'),
  v('en-IN-PrabhatNeural', 'male'),
  v('fr-FR-DeniseNeural', 'female'),
  v('fr-FR-HenriNeural', 'male'),
  v('fr-CA-SylvieNeural', 'female'),
  v('fr-CA-JeanNeural', 'male'),
  v('de-DE-KatjaNeural', 'female'),
  v('de-DE-ConradNeural', 'male'),
  v('es-ES-ElviraNeural', 'female'),
  v('es-ES-AlvaroNeural', 'male'),
  v('es-MX-DaliaNeural', 'female'),
  v('es-MX-JorgeNeural', 'male'),
  v('es-US-PalomaNeural', 'female'),
  v('es-US-AlonsoNeural', 'male'),
  v('it-IT-ElsaNeural', 'female'),
  v('it-IT-DiegoNeural', 'male'),
  v('pt-BR-FranciscaNeural', 'female'),
  v('pt-BR-AntonioNeural', 'male'),
  v('pt-PT-RaquelNeural', 'female'),
  v('pt-PT-DuarteNeural', 'male'),
  v('nl-NL-ColetteNeural', 'female'),
  v('nl-NL-MaartenNeural', 'male'),
  v('sv-SE-SofieNeural', 'female'),
  v('sv-SE-MattiasNeural', 'male'),
  v('da-DK-ChristelNeural', 'female'),
  v('da-DK-JeppeNeural', 'male'),
  v('nb-NO-PernilleNeural', 'female'),
  v('nb-NO-FinnNeural', 'male'),
  v('fi-FI-NooraNeural', 'female'),
  v('fi-FI-HarriNeural', 'male'),
  v('pl-PL-AgnieszkaNeural', 'female'),
  v('pl-PL-MarekNeural', 'male'),
  v('ja-JP-NanamiNeural', 'female'),
  v('ja-JP-KeitaNeural', 'male'),
  v('ko-KR-SunHiNeural', 'female'),
  v('ko-KR-InJoonNeural', 'male'),
  v('zh-CN-XiaoxiaoNeural', 'female'),
  v('zh-CN-YunxiNeural', 'male'),
  v('hi-IN-SwaraNeural', 'female'),
  v('hi-IN-MadhurNeural', 'male'),
  v('ar-SA-ZariyahNeural', 'female'),
  v('ar-SA-HamedNeural', 'male'),
];
